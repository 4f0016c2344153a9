import { AlertTriangle, Loader2 } from 'lucide-react';
import type { SyncRunDto } from '@/lib/connections/detail';
import { Badge } from '../../../_components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../../_components/ui/card';
import { RelativeTime } from '../../_components/relative-time';
import { RESULT_TONE, RESULT_WORDS, TRIGGER_WORDS, formatDuration, plural } from './run-format';

// Server-rendered: the sync status provider calls router.refresh() when a run starts or ends, which
// re-renders this list with the new run in place.

export function SyncHistory({ runs, limit }: { runs: SyncRunDto[]; limit: number }) {
  return (
    <Card aria-labelledby="sync-history-heading">
      <CardHeader>
        <CardTitle id="sync-history-heading">Sync history</CardTitle>
        <CardDescription>
          {runs.length === 0
            ? 'No syncs yet.'
            : runs.length >= limit
              ? `The last ${limit} syncs, newest first.`
              : 'Every sync of this connection, newest first.'}
        </CardDescription>
      </CardHeader>
      {runs.length > 0 && (
        <CardContent className="px-0 pb-0 sm:px-0 sm:pb-0">
          <ol className="divide-y divide-border border-t border-border" data-testid="sync-history">
            {runs.map((run) => (
              <RunItem key={run.id} run={run} />
            ))}
          </ol>
        </CardContent>
      )}
    </Card>
  );
}

function RunItem({ run }: { run: SyncRunDto }) {
  const duration = formatDuration(run.startedAt, run.finishedAt);
  const pending = run.status === 'queued' || run.status === 'running';
  const details = [
    duration,
    run.assetsCount !== null && run.status === 'succeeded' ? plural(run.assetsCount, 'asset', 'assets') : null,
    run.attempts > 1 ? plural(run.attempts, 'attempt', 'attempts') : null,
  ].filter((part): part is string => part !== null);

  return (
    <li className="flex flex-col gap-1.5 px-5 py-3 sm:px-6" data-run-status={run.status}>
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={RESULT_TONE[run.status]}>
            {pending && <Loader2 className="size-3 animate-spin" aria-hidden />}
            {RESULT_WORDS[run.status]}
          </Badge>
          <span className="text-sm font-medium">{TRIGGER_WORDS[run.trigger]}</span>
        </div>
        <span className="text-xs text-muted">
          <RelativeTime date={run.queuedAt.toISOString()} />
        </span>
      </div>
      {run.status === 'failed' && run.error && <p className="text-sm text-danger-text">Failed: {run.error}</p>}
      {run.status === 'stale' && (
        <p className="text-sm text-muted">
          {run.error ?? 'The sync did not finish in time and was abandoned. The next sync will try again.'}
        </p>
      )}
      {details.length > 0 && <p className="text-xs text-muted">{details.join(' · ')}</p>}
      {run.warnings.length > 0 && (
        <details className="group text-sm">
          <summary className="inline-flex cursor-pointer items-center gap-1.5 rounded text-warning-text focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
            <AlertTriangle className="size-3.5" aria-hidden />
            {plural(run.warnings.length, 'warning', 'warnings')}
          </summary>
          <ul className="mt-1.5 list-disc space-y-1 pl-6 text-muted">
            {run.warnings.map((warning, index) => (
              <li key={index}>{warning}</li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
