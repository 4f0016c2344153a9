'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useHookFormAction } from '@next-safe-action/adapter-react-hook-form/hooks';
import { changePasswordSchema } from '@/lib/auth/schemas';
import { Button } from '../../_components/ui/button';
import { FormAlert, FormField } from '../../_components/ui/form-field';
import { Input } from '../../_components/ui/input';
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
  const { errors } = form.formState;
  return (
    <form onSubmit={handleSubmitWithAction} noValidate className="flex max-w-sm flex-col gap-4">
      <FormAlert message={action.result.serverError} />
      <FormField id="currentPassword" label="Current password" error={errors.currentPassword?.message}>
        <Input
          id="currentPassword"
          type="password"
          autoComplete="current-password"
          aria-invalid={Boolean(errors.currentPassword)}
          {...form.register('currentPassword')}
        />
      </FormField>
      <FormField id="newPassword" label="New password" error={errors.newPassword?.message}>
        <Input
          id="newPassword"
          type="password"
          autoComplete="new-password"
          aria-invalid={Boolean(errors.newPassword)}
          {...form.register('newPassword')}
        />
      </FormField>
      <Button type="submit" loading={action.isPending} className="self-start">
        Change password
      </Button>
    </form>
  );
}
