'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useHookFormAction } from '@next-safe-action/adapter-react-hook-form/hooks';
import { signInSchema } from '@/lib/auth/schemas';
import { Button } from '../../_components/ui/button';
import { FormAlert, FormField } from '../../_components/ui/form-field';
import { Input } from '../../_components/ui/input';
import { signInAction } from '../actions';

export function SignInForm() {
  const { form, action, handleSubmitWithAction } = useHookFormAction(signInAction, zodResolver(signInSchema), {
    formProps: { defaultValues: { email: '', password: '' } },
  });
  const { errors } = form.formState;
  return (
    <form onSubmit={handleSubmitWithAction} noValidate className="flex flex-col gap-4">
      <FormAlert message={action.result.serverError} />
      <FormField id="email" label="Email" error={errors.email?.message}>
        <Input
          id="email"
          type="email"
          autoComplete="email"
          autoFocus
          aria-invalid={Boolean(errors.email)}
          aria-describedby={errors.email ? 'email-error' : undefined}
          {...form.register('email')}
        />
      </FormField>
      <FormField id="password" label="Password" error={errors.password?.message}>
        <Input
          id="password"
          type="password"
          autoComplete="current-password"
          aria-invalid={Boolean(errors.password)}
          aria-describedby={errors.password ? 'password-error' : undefined}
          {...form.register('password')}
        />
      </FormField>
      <Button type="submit" loading={action.isPending} className="mt-2 w-full">
        Sign in
      </Button>
    </form>
  );
}
