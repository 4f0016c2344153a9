'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { MAX_LABEL_LENGTH } from '@/lib/connections/schemas';
import type { ConnectionView } from '@/lib/connections/view';
import { Button } from '../../../_components/ui/button';
import { Checkbox } from '../../../_components/ui/checkbox';
import { cn } from '../../../_components/ui/cn';
import { FormAlert, FormField } from '../../../_components/ui/form-field';
import { Input } from '../../../_components/ui/input';
import { toast } from '../../../_components/ui/toast';
import { toResult } from '../../_components/action-result';
import { useInvalidateSyncStatus } from '../../_components/sync-status';
import { updateConnectionAction } from '../actions';
import { intervalOptions } from './sync-intervals';

interface SettingsValues {
  label: string;
  /** A <select> answers text; converted to seconds when sent. */
  syncIntervalSeconds: string;
  autoSync: boolean;
}

const FIELDS = ['label', 'syncIntervalSeconds', 'autoSync'] as const;

const valuesOf = (connection: ConnectionView): SettingsValues => ({
  label: connection.label,
  syncIntervalSeconds: String(connection.syncIntervalSeconds),
  autoSync: connection.autoSync,
});

export function SettingsForm({ connection }: { connection: ConnectionView }) {
  const router = useRouter();
  const invalidate = useInvalidateSyncStatus();
  const [formError, setFormError] = useState<string>();
  const form = useForm<SettingsValues>({ defaultValues: valuesOf(connection) });
  const { errors, dirtyFields, isDirty, isSubmitting } = form.formState;
  const options = intervalOptions(connection.syncIntervalSeconds);
  const autoSync = useWatch({ control: form.control, name: 'autoSync' });

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    // Only what changed: an untouched label must not be re-validated or overwrite a rename made elsewhere.
    const changes: { label?: string; syncIntervalSeconds?: number; autoSync?: boolean } = {};
    if (dirtyFields.label) changes.label = values.label.trim();
    if (dirtyFields.syncIntervalSeconds) changes.syncIntervalSeconds = Number(values.syncIntervalSeconds);
    if (dirtyFields.autoSync) changes.autoSync = values.autoSync;

    // A network failure (offline, server unreachable) rejects: shown as the generic error, like any failure.
    const answer = await updateConnectionAction({ connectionId: connection.id, ...changes }).catch(() => undefined);
    const result = toResult(answer);
    if (!result.ok) {
      let placed = false;
      for (const field of FIELDS) {
        const message = result.fieldErrors?.[field];
        if (message) {
          form.setError(field, { message }, { shouldFocus: !placed });
          placed = true;
        }
      }
      setFormError(placed ? undefined : (result.fieldErrors?.form ?? result.message));
      return;
    }
    form.reset(valuesOf(result.connection));
    toast.success('Saved');
    await invalidate();
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4" aria-label="Connection settings">
      <FormAlert message={formError} />
      <FormField
        id="label"
        label="Label"
        error={errors.label?.message}
        hint="How this account is named across Coinsphere."
      >
        <Input
          id="label"
          autoComplete="off"
          maxLength={MAX_LABEL_LENGTH}
          aria-invalid={Boolean(errors.label)}
          aria-describedby={errors.label ? 'label-error' : 'label-hint'}
          {...form.register('label', {
            validate: (value) => value.trim().length > 0 || 'Label cannot be empty.',
          })}
        />
      </FormField>

      <FormField
        id="syncIntervalSeconds"
        label="Sync interval"
        error={errors.syncIntervalSeconds?.message}
        hint={autoSync ? 'How often Coinsphere reads your balances.' : 'Used again when auto-sync is turned back on.'}
      >
        <select
          id="syncIntervalSeconds"
          aria-invalid={Boolean(errors.syncIntervalSeconds)}
          aria-describedby={errors.syncIntervalSeconds ? 'syncIntervalSeconds-error' : 'syncIntervalSeconds-hint'}
          className={cn(
            'h-10 w-full cursor-pointer rounded-lg border border-border bg-surface px-3 text-sm text-foreground',
            'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring aria-invalid:border-danger',
          )}
          {...form.register('syncIntervalSeconds')}
        >
          {options.map((option) => (
            <option key={option.seconds} value={String(option.seconds)}>
              {option.label}
            </option>
          ))}
        </select>
      </FormField>

      <div className="flex flex-col gap-1">
        <div className="flex items-start gap-3">
          <Checkbox
            id="autoSync"
            className="mt-0.5"
            aria-describedby={errors.autoSync ? 'autoSync-error' : 'autoSync-hint'}
            {...form.register('autoSync')}
          />
          <div className="flex flex-col gap-0.5">
            <label htmlFor="autoSync" className="cursor-pointer text-sm font-medium">
              Auto-sync
            </label>
            <p id="autoSync-hint" className="text-xs text-muted">
              Sync on the schedule above. When off, balances only change when you press Sync now.
            </p>
          </div>
        </div>
        {errors.autoSync?.message && (
          <p id="autoSync-error" role="alert" className="text-sm text-danger-text">
            {errors.autoSync.message}
          </p>
        )}
      </div>

      <div className="flex items-center gap-3">
        <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
          Save changes
        </Button>
        {isDirty && !isSubmitting && (
          <button
            type="button"
            className="cursor-pointer text-sm text-muted hover:text-foreground"
            onClick={() => {
              form.reset();
              setFormError(undefined);
            }}
          >
            Discard
          </button>
        )}
      </div>
    </form>
  );
}
