'use client';

import { AlertTriangle } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { credentialFieldsFor } from '@/lib/exchanges/catalog';
import { Button } from '../../../_components/ui/button';
import { Checkbox } from '../../../_components/ui/checkbox';
import { FormAlert } from '../../../_components/ui/form-field';
import { toast } from '../../../_components/ui/toast';
import type { Failure } from '@/lib/connections/result';
import { toResult } from '../../_components/action-result';
import { CredentialFields } from '../../_components/credential-fields';
import { useInvalidateSyncStatus } from '../../_components/sync-status';
import { ExistingConnectionLink } from '../_components/existing-connection-link';
import { updateConnectionAction } from '../actions';

interface UpdateKeysValues {
  credentials: Record<string, string>;
  acknowledgeTradingPermission: boolean;
}

const ACKNOWLEDGE = 'acknowledgeTradingPermission';
const ID_PREFIX = 'update-keys-';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Replaces the connection's API key. The server tests the new key exactly like at connect (a key
 * that can withdraw is refused, one that can trade needs the tick below) before it replaces the
 * stored one, and clears "Credentials need updating".
 */
export function UpdateKeysForm({ connectionId, exchangeId }: { connectionId: string; exchangeId: string }) {
  const router = useRouter();
  const invalidate = useInvalidateSyncStatus();
  const [formError, setFormError] = useState<string>();
  const [existingConnection, setExistingConnection] = useState<Failure['existingConnection']>();
  // Shown once the server says this key can trade; its message explains what that means.
  const [tradingWarning, setTradingWarning] = useState<string>();
  // Every field starts as '' (not undefined), so a reset after success really empties the inputs.
  const [emptyValues] = useState<UpdateKeysValues>(() => ({
    credentials: Object.fromEntries(credentialFieldsFor(exchangeId).map((field) => [field.name, ''])),
    acknowledgeTradingPermission: false,
  }));
  const form = useForm<UpdateKeysValues>({ defaultValues: emptyValues });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    setExistingConnection(undefined);
    const answer = await updateConnectionAction({
      connectionId,
      credentials: values.credentials,
      ...(tradingWarning ? { acknowledgeTradingPermission: values.acknowledgeTradingPermission } : {}),
    }).catch(() => undefined);
    const result = toResult(answer);

    if (!result.ok) {
      // What was typed stays (see CredentialFields); the refused field is marked and focused.
      setExistingConnection(result.existingConnection);
      const fieldErrors = result.fieldErrors ?? {};
      if (fieldErrors[ACKNOWLEDGE]) {
        setTradingWarning(result.message);
        form.setError(ACKNOWLEDGE, { message: fieldErrors[ACKNOWLEDGE] }, { shouldFocus: true });
      }
      let placed = false;
      const refused = result.refusedField?.path.startsWith('credentials.') ? result.refusedField : undefined;
      const placeable = refused ? { ...fieldErrors, [refused.path]: refused.message } : fieldErrors;
      for (const [path, message] of Object.entries(placeable)) {
        if (!path.startsWith('credentials.')) continue;
        form.setError(path as `credentials.${string}`, { message }, { shouldFocus: !placed });
        placed = true;
      }
      if (!fieldErrors[ACKNOWLEDGE]) setFormError(fieldErrors.form ?? result.message);
      return;
    }

    form.reset(emptyValues);
    setTradingWarning(undefined);
    toast.success(
      `Keys updated — synced ${plural(result.assets ?? result.connection.holdingsCount, 'asset', 'assets')}`,
      {
        description: result.warnings.length > 0 ? result.warnings.join(' ') : undefined,
      },
    );
    await invalidate();
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
      <FormAlert message={formError}>
        {existingConnection ? <ExistingConnectionLink connection={existingConnection} /> : null}
      </FormAlert>
      <CredentialFields
        exchangeId={exchangeId}
        register={form.register}
        errors={errors}
        disabled={isSubmitting}
        idPrefix={ID_PREFIX}
      />

      {tradingWarning && (
        <div className="flex flex-col gap-3 rounded-lg border border-warning/40 bg-warning/10 p-3 text-sm">
          <p className="flex gap-2">
            <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
            <span>{tradingWarning}</span>
          </p>
          <div className="flex items-start gap-2.5">
            <Checkbox
              id={`${ID_PREFIX}${ACKNOWLEDGE}`}
              className="mt-0.5"
              aria-invalid={Boolean(errors.acknowledgeTradingPermission)}
              aria-describedby={errors.acknowledgeTradingPermission ? `${ID_PREFIX}${ACKNOWLEDGE}-error` : undefined}
              {...form.register(ACKNOWLEDGE)}
            />
            <label htmlFor={`${ID_PREFIX}${ACKNOWLEDGE}`} className="cursor-pointer font-medium">
              I understand this key can trade
            </label>
          </div>
          {errors.acknowledgeTradingPermission?.message && (
            <p id={`${ID_PREFIX}${ACKNOWLEDGE}-error`} className="text-sm text-danger-text">
              {errors.acknowledgeTradingPermission.message}
            </p>
          )}
        </div>
      )}

      <Button type="submit" loading={isSubmitting} className="self-start">
        Update keys
      </Button>
    </form>
  );
}
