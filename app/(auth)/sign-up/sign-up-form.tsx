'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useHookFormAction } from '@next-safe-action/adapter-react-hook-form/hooks';
import { PASSWORD_MIN_LENGTH, signUpSchema } from '@/lib/auth/schemas';
import { Button } from '../../_components/ui/button';
import { FormAlert } from '../../_components/ui/form-field';
import { TextField } from '../../_components/ui/text-field';
import { signUpAction } from '../actions';

export function SignUpForm() {
  const { form, action, handleSubmitWithAction } = useHookFormAction(signUpAction, zodResolver(signUpSchema), {
    formProps: { defaultValues: { name: '', email: '', password: '' } },
  });
  return (
    <form onSubmit={handleSubmitWithAction} noValidate className="flex flex-col gap-4">
      <FormAlert message={action.result.serverError} />
      <TextField form={form} name="name" label="Name (optional)" autoComplete="name" />
      <TextField form={form} name="email" label="Email" type="email" autoComplete="email" />
      <TextField
        form={form}
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. A passphrase of a few words works well.`}
      />
      <Button type="submit" loading={action.isPending} className="mt-2 w-full">
        Create account
      </Button>
    </form>
  );
}
