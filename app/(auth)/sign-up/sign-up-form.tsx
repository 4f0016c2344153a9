'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useHookFormAction } from '@next-safe-action/adapter-react-hook-form/hooks';
import { PASSWORD_MIN_LENGTH, signUpSchema } from '@/lib/auth/schemas';
import { Button } from '../../_components/ui/button';
import { FormAlert, FormField } from '../../_components/ui/form-field';
import { Input } from '../../_components/ui/input';
import { signUpAction } from '../actions';

export function SignUpForm() {
  const { form, action, handleSubmitWithAction } = useHookFormAction(signUpAction, zodResolver(signUpSchema), {
    formProps: { defaultValues: { name: '', email: '', password: '' } },
  });
  const { errors } = form.formState;
  return (
    <form onSubmit={handleSubmitWithAction} noValidate className="flex flex-col gap-4">
      <FormAlert message={action.result.serverError} />
      <FormField id="name" label="Name (optional)" error={errors.name?.message}>
        <Input id="name" autoComplete="name" aria-invalid={Boolean(errors.name)} {...form.register('name')} />
      </FormField>
      <FormField id="email" label="Email" error={errors.email?.message}>
        <Input
          id="email"
          type="email"
          autoComplete="email"
          aria-invalid={Boolean(errors.email)}
          aria-describedby={errors.email ? 'email-error' : undefined}
          {...form.register('email')}
        />
      </FormField>
      <FormField
        id="password"
        label="Password"
        error={errors.password?.message}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. A passphrase of a few words works well.`}
      >
        <Input
          id="password"
          type="password"
          autoComplete="new-password"
          aria-invalid={Boolean(errors.password)}
          aria-describedby={errors.password ? 'password-error' : 'password-hint'}
          {...form.register('password')}
        />
      </FormField>
      <Button type="submit" loading={action.isPending} className="mt-2 w-full">
        Create account
      </Button>
    </form>
  );
}
