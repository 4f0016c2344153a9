'use client';

import { AlertTriangle, FlaskConical, Plug } from 'lucide-react';
import type { Route } from 'next';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useForm, type Path } from 'react-hook-form';
import { Badge } from '@/app/_components/ui/badge';
import { Button } from '@/app/_components/ui/button';
import { Checkbox } from '@/app/_components/ui/checkbox';
import { FormAlert } from '@/app/_components/ui/form-field';
import { Label } from '@/app/_components/ui/label';
import { TextField } from '@/app/_components/ui/text-field';
import { toast } from '@/app/_components/ui/toast';
import { defaultLabel } from '@/lib/connections/default-label';
import type { Failure } from '@/lib/connections/result';
import type { ConnectionTestReport } from '@/lib/connections/test-connection';
import { credentialFieldsFor, findExchange } from '@/lib/exchanges/catalog';
import { toResult } from '../../../_components/action-result';
import { CredentialFields } from '../../../_components/credential-fields';
import { useInvalidateSyncStatus, useSyncStatus } from '../../../_components/sync-status';
import { connectExchangeAction, testConnectionAction } from '../../actions';
import { ExchangeCombobox } from './exchange-combobox';
import { ExistingConnectionLink } from '../../_components/existing-connection-link';
import { TestReport } from './test-report';

interface ConnectFormValues {
  label: string;
  sandbox: boolean;
  credentials: Record<string, string>;
  acknowledgeTradingPermission: boolean;
}

const UNREACHABLE = 'Could not reach Coinsphere. Check your internet connection and try again.';

/** Fields the form shows next to their input; any other fieldErrors key is told in the form alert. */
const FORM_FIELDS = new Set(['label', 'sandbox', 'acknowledgeTradingPermission']);

/**
 * Connect an exchange: choose it, paste a read-only key, optionally test it (nothing saved), then
 * connect (saved, first sync done) and land on the connection's page with its holdings.
 */
export function ConnectForm({ initialExchangeId }: { initialExchangeId: string | null }) {
  const router = useRouter();
  const invalidateStatus = useInvalidateSyncStatus();
  const { connections } = useSyncStatus();
  const [exchangeId, setExchangeId] = useState(initialExchangeId);
  const exchange = exchangeId ? findExchange(exchangeId) : undefined;
  const [exchangeError, setExchangeError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [existingConnection, setExistingConnection] = useState<Failure['existingConnection']>();
  const [report, setReport] = useState<ConnectionTestReport | null>(null);
  const [needsAcknowledgement, setNeedsAcknowledgement] = useState(false);
  const [pending, setPending] = useState<'test' | 'connect' | null>(null);

  const suggestedLabel = exchange
    ? defaultLabel(
        exchange.name,
        connections.map((connection) => connection.label),
      )
    : '';
  const form = useForm<ConnectFormValues>({
    defaultValues: { label: suggestedLabel, sandbox: false, credentials: {}, acknowledgeTradingPermission: false },
  });

  // The label follows the exchange ("Binance", "Binance 2"…) until the user writes their own.
  const lastSuggestion = useRef(suggestedLabel);
  useEffect(() => {
    const current = form.getValues('label').trim();
    if (current === '' || current === lastSuggestion.current) form.setValue('label', suggestedLabel);
    lastSuggestion.current = suggestedLabel;
  }, [suggestedLabel, form]);

  function chooseExchange(id: string) {
    setExchangeId(id);
    setExchangeError(undefined);
    setFormError(undefined);
    setExistingConnection(undefined);
    setReport(null);
    setNeedsAcknowledgement(false);
    // Another exchange's key would never fit: start its fields empty.
    form.setValue('credentials', {});
    form.setValue('sandbox', false);
    form.setValue('acknowledgeTradingPermission', false);
    form.clearErrors();
    // The URL remembers the choice, so a reload or a shared link opens the same form. Next syncs its
    // router with the native history call, without asking the server for the page again.
    window.history.replaceState(null, '', `?exchange=${encodeURIComponent(id)}`);
  }

  /**
   * Shows a failure where it belongs: on the field the exchange refused, and above the buttons. What the
   * user typed stays (see CredentialFields): a Binance secret cannot be copied a second time.
   */
  function showFailure(failure: Failure) {
    const fields = Object.keys(failure.fieldErrors ?? {});
    // A missing "I understand" tick is told in its own warning box; the same words above the buttons would repeat it.
    const onlyAcknowledgement = fields.length === 1 && fields[0] === 'acknowledgeTradingPermission';
    setFormError(onlyAcknowledgement ? undefined : failure.message);
    setExistingConnection(failure.existingConnection);
    if (failure.refusedField?.path.startsWith('credentials.')) {
      const { path, message } = failure.refusedField;
      form.setError(path as Path<ConnectFormValues>, { type: 'server', message }, { shouldFocus: true });
    }
    for (const [path, message] of Object.entries(failure.fieldErrors ?? {})) {
      if (path === 'form') continue;
      if (path === 'exchangeId') setExchangeError(message);
      else if (path === 'acknowledgeTradingPermission') setNeedsAcknowledgement(true);
      if (path.startsWith('credentials.') || FORM_FIELDS.has(path)) {
        form.setError(path as Path<ConnectFormValues>, { type: 'server', message });
      }
    }
  }

  function inputFrom(values: ConnectFormValues) {
    if (!exchange) return null;
    // Only this exchange's fields: values typed for another exchange before switching are not sent.
    const credentials = Object.fromEntries(
      credentialFieldsFor(exchange.id).map((field) => [field.name, values.credentials[field.name] ?? '']),
    );
    return { exchangeId: exchange.id, credentials, ...(exchange.sandbox ? { sandbox: values.sandbox } : {}) };
  }

  async function test(values: ConnectFormValues) {
    const input = inputFrom(values);
    if (!input) return setExchangeError('Choose an exchange.');
    setPending('test');
    setFormError(undefined);
    setExistingConnection(undefined);
    setReport(null);
    try {
      const result = toResult(await testConnectionAction(input));
      if (!result.ok) return showFailure(result);
      setReport(result.report);
      if (result.report.needsTradingAcknowledgement) setNeedsAcknowledgement(true);
    } catch {
      showFailure({ ok: false, message: UNREACHABLE });
    } finally {
      setPending(null);
    }
  }

  async function connect(values: ConnectFormValues) {
    const input = inputFrom(values);
    if (!input) return setExchangeError('Choose an exchange.');
    setPending('connect');
    setFormError(undefined);
    setExistingConnection(undefined);
    try {
      const result = toResult(
        await connectExchangeAction({
          ...input,
          label: values.label.trim() || undefined,
          ...(needsAcknowledgement ? { acknowledgeTradingPermission: values.acknowledgeTradingPermission } : {}),
        }),
      );
      if (!result.ok) {
        setPending(null);
        return showFailure(result);
      }
      const { connection, warnings, assets } = result;
      toast.success(`Connected ${connection.label} — ${assets} ${assets === 1 ? 'asset' : 'assets'}`, {
        description: warnings.length > 0 ? warnings.join(' ') : undefined,
      });
      await invalidateStatus();
      // Stays pending: the buttons remain disabled until the connection's page replaces this one.
      router.push(`/exchanges/${connection.id}` as Route);
    } catch {
      setPending(null);
      showFailure({ ok: false, message: UNREACHABLE });
    }
  }

  const busy = pending !== null;
  const ackError = form.formState.errors.acknowledgeTradingPermission?.message;

  return (
    <form onSubmit={form.handleSubmit(connect)} noValidate className="flex flex-col gap-6" aria-busy={busy}>
      <section aria-labelledby="choose-exchange" className="flex flex-col gap-3">
        <h2 id="choose-exchange" className="text-sm font-semibold uppercase tracking-wide text-muted">
          1 · Choose the exchange
        </h2>
        <ExchangeCombobox value={exchangeId} onChange={chooseExchange} error={exchangeError} disabled={busy} />
      </section>

      {exchange ? (
        <section aria-labelledby="enter-key" className="flex flex-col gap-4">
          <div className="flex flex-wrap items-center gap-2">
            <h2 id="enter-key" className="text-sm font-semibold uppercase tracking-wide text-muted">
              2 · Enter your {exchange.name} API key
            </h2>
            {exchange.verified ? (
              <Badge tone="success">Verified</Badge>
            ) : (
              <Badge tone="neutral">Not yet verified</Badge>
            )}
          </div>

          <CredentialFields
            exchangeId={exchange.id}
            register={form.register}
            errors={form.formState.errors}
            disabled={busy}
          />

          <TextField
            form={form}
            name="label"
            label="Label"
            hint={`How this account is called in Coinsphere, e.g. “${exchange.name} savings”.`}
            maxLength={60}
            autoComplete="off"
            disabled={busy}
          />

          {exchange.sandbox ? (
            <div className="flex items-start gap-2.5">
              <Checkbox id="sandbox" className="mt-0.5" disabled={busy} {...form.register('sandbox')} />
              <div className="flex flex-col gap-0.5">
                <Label htmlFor="sandbox">Use the sandbox (test network)</Label>
                <p className="text-xs text-muted">
                  For a key created on {exchange.name}&apos;s test network; its balances are not real.
                </p>
              </div>
            </div>
          ) : null}

          <div role="status" aria-live="polite">
            {report ? <TestReport report={report} /> : null}
          </div>

          {needsAcknowledgement ? (
            <div className="flex flex-col gap-3 rounded-lg border border-warning/40 bg-warning/10 p-4 text-sm">
              <p className="flex items-start gap-2">
                <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
                <span>
                  <strong className="font-semibold">This key can trade.</strong> Coinsphere only ever reads balances,
                  but anyone who got hold of the key could place orders. A read-only key is safer: create one with
                  reading permission only and use it instead.
                </span>
              </p>
              <div className="flex items-center gap-2.5">
                <Checkbox
                  id="acknowledgeTradingPermission"
                  disabled={busy}
                  aria-invalid={Boolean(ackError)}
                  aria-describedby={ackError ? 'acknowledgeTradingPermission-error' : undefined}
                  {...form.register('acknowledgeTradingPermission')}
                />
                <Label htmlFor="acknowledgeTradingPermission">I understand this key can trade</Label>
              </div>
              {ackError ? (
                <p id="acknowledgeTradingPermission-error" role="alert" className="text-sm text-danger-text">
                  {ackError}
                </p>
              ) : null}
            </div>
          ) : null}

          <FormAlert message={formError}>
            {existingConnection ? <ExistingConnectionLink connection={existingConnection} /> : null}
          </FormAlert>

          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button
              type="button"
              variant="secondary"
              onClick={form.handleSubmit(test)}
              loading={pending === 'test'}
              disabled={busy}
            >
              {pending !== 'test' ? <FlaskConical className="size-4" aria-hidden /> : null}
              Test connection
            </Button>
            <Button type="submit" loading={pending === 'connect'} disabled={busy}>
              {pending !== 'connect' ? <Plug className="size-4" aria-hidden /> : null}
              Connect
            </Button>
          </div>
        </section>
      ) : null}
    </form>
  );
}
