'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useHookFormAction } from '@next-safe-action/adapter-react-hook-form/hooks';
import { changePasswordSchema } from '@/lib/auth/schemas';
import { Button } from '../../_components/ui/button';
import { FormAlert } from '../../_components/ui/form-field';
import { TextField } from '../../_components/ui/text-field';
import { toast } from '../../_components/ui/toast';
import { changePasswordAction } from '../actions';

export function ChangePasswordForm() {
  const { form, action, handleSubmitWithAction } = useHookFormAction(
    changePasswordAction,
    zodResolver(changePasswordSchema),
    {
      formProps: { defaultValues: { currentPassword: '', newPassword: '' } },
      actionProps: {
        onSuccess: () => {
          form.reset();
          toast.success('Password changed. Other devices have been signed out.');
        },
      },
    },
  );
  return (
    <form onSubmit={handleSubmitWithAction} noValidate className="flex max-w-sm flex-col gap-4">
      <FormAlert message={action.result.serverError} />
      <TextField
        form={form}
        name="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
      />
      <TextField form={form} name="newPassword" label="New password" type="password" autoComplete="new-password" />
      <Button type="submit" loading={action.isPending} className="self-start">
        Change password
      </Button>
    </form>
  );
}
