'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useLocale, useTimeZone } from '@/app/_components/locale/locale-provider';
import type { HistoryProgress } from '@/lib/history/progress';
import { Button } from '../../../_components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../../_components/ui/card';
import { FormAlert, FormField } from '../../../_components/ui/form-field';
import { Input } from '../../../_components/ui/input';
import { toResult } from '../../_components/action-result';
import { RelativeTime } from '../../_components/relative-time';
import { addMarketAction, historyProgressAction } from './history-actions';
import { historyHeadline, isImportRunning } from './history-status';

const FAST_POLL_MS = 2_000;
const SLOW_POLL_MS = 60_000;
const historyProgressKey = (connectionId: string) => ['history-progress', connectionId];

/** The one line saying where the import stands, in the reader's locale. */
function StatusLine({ progress }: { progress: HistoryProgress }) {
  const locale = useLocale();
  const timeZone = useTimeZone();
  const headline = historyHeadline(progress, locale, timeZone);
  const tone = progress.state === 'failed' ? 'text-danger-text' : isImportRunning(progress) ? 'font-medium' : '';
  return (
    <p role="status" className={`text-sm ${tone}`}>
      {headline}
      {progress.state === 'succeeded' && progress.finishedAt && (
        <>
          {' · checked '}
          <RelativeTime date={progress.finishedAt} />
        </>
      )}
    </p>
  );
}

function AddMarketForm({ connectionId, onAdded }: { connectionId: string; onAdded: () => void }) {
  const [stream, setStream] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<{ field?: string; message?: string }>({});
  const [done, setDone] = useState<string>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError({});
    setDone(undefined);
    try {
      const result = toResult(await addMarketAction({ connectionId, stream }));
      if (!result.ok) {
        setError({
          field: result.fieldErrors?.stream,
          message: result.fieldErrors?.stream ? undefined : result.message,
        });
        return;
      }
      setDone(
        result.added ? `Added ${result.stream}; its trades are being imported.` : `${result.stream} was already added.`,
      );
      setStream('');
      onAdded();
    } catch {
      setError({ message: 'Could not reach Coinsphere. Check your connection and try again.' });
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-labelledby="add-market-heading" noValidate>
      <h3 id="add-market-heading" className="text-sm font-medium">
        Add a market
      </h3>
      <FormField
        id="history-market"
        label="Market"
        error={error.field}
        hint="A market this account traded that was not found on its own, e.g. ETH/BTC."
      >
        <Input
          id="history-market"
          name="stream"
          value={stream}
          onChange={(event) => setStream(event.target.value)}
          aria-invalid={error.field ? true : undefined}
          aria-describedby={error.field ? 'history-market-error' : 'history-market-hint'}
          autoComplete="off"
          spellCheck={false}
        />
      </FormField>
      <FormAlert message={error.message} />
      {done && (
        <p role="status" className="text-sm text-muted">
          {done}
        </p>
      )}
      <Button type="submit" variant="secondary" loading={pending} className="w-fit">
        Add market
      </Button>
    </form>
  );
}

/**
 * The connection's history import: where it stands (polled every 2 s while it runs), what the exchange
 * does not provide, and for exchanges whose markets must be named, a form to add one.
 */
export function HistoryImport({
  connectionId,
  initial,
  canAddMarket,
}: {
  connectionId: string;
  initial: HistoryProgress | null;
  canAddMarket: boolean;
}) {
  const queryClient = useQueryClient();
  // initialData only seeds a new cache entry: a server refresh (Update keys restarts a stopped import)
  // brings a newer state than the one cached since the page opened, so it replaces it.
  useEffect(() => {
    queryClient.setQueryData(historyProgressKey(connectionId), initial);
  }, [queryClient, connectionId, initial]);
  const query = useQuery({
    queryKey: historyProgressKey(connectionId),
    queryFn: async () => {
      const result = toResult(await historyProgressAction({ connectionId }));
      if (!result.ok) throw new Error(result.message);
      return result.progress;
    },
    initialData: initial,
    refetchInterval: (current) => (isImportRunning(current.state.data ?? null) ? FAST_POLL_MS : SLOW_POLL_MS),
  });
  const progress = query.data ?? null;

  return (
    <Card aria-labelledby="history-import-heading">
      <CardHeader>
        <CardTitle id="history-import-heading">Transaction history</CardTitle>
        {progress && !progress.verified && (
          <CardDescription>Imported on a best-effort basis for this exchange (not verified).</CardDescription>
        )}
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {progress ? (
          <StatusLine progress={progress} />
        ) : (
          <p className="text-sm text-muted">No history has been imported for this connection.</p>
        )}
        {progress && progress.limits.length > 0 && (
          <ul className="list-disc pl-5 text-xs text-muted">
            {progress.limits.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
        {progress && progress.manualStreams.length > 0 && (
          <p className="text-xs text-muted">Markets added by hand: {progress.manualStreams.join(', ')}</p>
        )}
        {canAddMarket && progress?.acceptsManualStream && (
          <AddMarketForm connectionId={connectionId} onAdded={() => void query.refetch()} />
        )}
      </CardContent>
    </Card>
  );
}
