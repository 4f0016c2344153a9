'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useHookFormAction } from '@next-safe-action/adapter-react-hook-form/hooks';
import { signInSchema } from '@/lib/auth/schemas';
import { Button } from '../../_components/ui/button';
import { FormAlert } from '../../_components/ui/form-field';
import { TextField } from '../../_components/ui/text-field';
import { signInAction } from '../actions';

export function SignInForm() {
  const { form, action, handleSubmitWithAction } = useHookFormAction(signInAction, zodResolver(signInSchema), {
    formProps: { defaultValues: { email: '', password: '' } },
  });
  return (
    <form onSubmit={handleSubmitWithAction} noValidate className="flex flex-col gap-4">
      <FormAlert message={action.result.serverError} />
      <TextField form={form} name="email" label="Email" type="email" autoComplete="email" autoFocus />
      <TextField form={form} name="password" label="Password" type="password" autoComplete="current-password" />
      <Button type="submit" loading={action.isPending} className="mt-2 w-full">
        Sign in
      </Button>
    </form>
  );
}
