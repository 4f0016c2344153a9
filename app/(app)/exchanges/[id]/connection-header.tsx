'use client';

import { ArrowDown, KeyRound, Snowflake, Unplug } from 'lucide-react';
import { credentialsUnreadable, type ConnectionView } from '@/lib/connections/view';
import { CREDENTIALS_UNREADABLE_STATE } from '@/lib/sync/failure-kinds';
import { Badge } from '../../../_components/ui/badge';
import { ExchangeAvatar } from '../../_components/exchange-avatar';
import { RelativeTime } from '../../_components/relative-time';
import {
  badgeSaysPaused,
  ConnectionStatusBadge,
  ConnectionStatusReason,
  SCHEDULED_SYNCS_PAUSED,
} from '../../_components/status-badge';
import { SyncNowButton } from '../../_components/sync-now-button';
import { useConnectionStatus, useSyncStatus } from '../../_components/sync-status';
import { useNow } from '../../_components/use-now';

/**
 * The connection's name, live status and Sync now. Client side because the badge and the
 * "Next sync" line follow the polled status; the server's answer is the fallback for a
 * connection the status route no longer lists (disconnected, holdings removed).
 */
export function ConnectionHeader({ initial }: { initial: ConnectionView }) {
  const connection = useConnectionStatus(initial.id) ?? initial;
  const disconnected = connection.disconnectedAt !== null;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 items-start gap-4">
          <ExchangeAvatar exchangeId={connection.exchangeId} name={connection.exchangeName} size="lg" />
          <div className="flex min-w-0 flex-col gap-1">
            <h1 className="truncate text-2xl font-semibold tracking-tight">{connection.label}</h1>
            <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-muted">
              <span>{connection.exchangeName}</span>
              {connection.sandbox && <Badge tone="info">Sandbox</Badge>}
              {connection.keyHint && (
                <>
                  <span aria-hidden>·</span>
                  <span>
                    Key <span className="font-mono">••••{connection.keyHint}</span>
                  </span>
                </>
              )}
            </p>
            <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1.5 text-sm text-muted">
              <ConnectionStatusBadge connection={connection} />
              {!disconnected && (
                <>
                  <span>
                    {connection.lastSuccessAt ? (
                      <>
                        Last synced <RelativeTime date={connection.lastSuccessAt} />
                      </>
                    ) : (
                      'Never synced'
                    )}
                  </span>
                  <NextSync connection={connection} />
                </>
              )}
            </div>
            <ConnectionStatusReason connection={connection} />
          </div>
        </div>
        {!disconnected && (
          <div className="shrink-0">
            <SyncNowButton connectionId={connection.id} label={connection.label} size="md" />
          </div>
        )}
      </div>

      {connection.status === 'needs_reauth' && !disconnected && (
        <div className="flex gap-3 rounded-xl border border-warning/40 bg-warning/10 p-4" data-testid="reauth-callout">
          <KeyRound className="mt-0.5 size-5 shrink-0 text-warning" aria-hidden />
          <div className="flex flex-col gap-1 text-sm">
            <p className="font-medium">
              {credentialsUnreadable(connection)
                ? CREDENTIALS_UNREADABLE_STATE
                : `Credentials need updating${connection.lastError ? `: ${connection.lastError}` : ''}`}
            </p>
            <p className="text-muted">
              Syncing is paused until you enter a new read-only API key from {connection.exchangeName}.
            </p>
            <a
              href="#update-keys"
              className="mt-1 inline-flex w-fit items-center gap-1 font-medium text-primary hover:underline focus-visible:underline focus-visible:outline-none"
            >
              Update keys
              <ArrowDown className="size-3.5" aria-hidden />
            </a>
          </div>
        </div>
      )}

      {disconnected && (
        <div
          className="flex gap-3 rounded-xl border border-border bg-subtle p-4 text-sm"
          data-testid="disconnected-callout"
        >
          {connection.holdingsCount > 0 ? (
            <>
              <Snowflake className="mt-0.5 size-5 shrink-0 text-muted" aria-hidden />
              <div className="flex flex-col gap-1">
                <p className="font-medium">Disconnected — holdings kept, no longer synced</p>
                <p className="text-muted">
                  Its balances stay in your portfolio as they were when you disconnected it. Remove them below when you
                  no longer need them.
                </p>
              </div>
            </>
          ) : (
            <>
              <Unplug className="mt-0.5 size-5 shrink-0 text-muted" aria-hidden />
              <div className="flex flex-col gap-1">
                <p className="font-medium">Disconnected</p>
                <p className="text-muted">Its keys are deleted and its holdings removed. The sync history stays.</p>
              </div>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function NextSync({ connection }: { connection: ConnectionView }) {
  const now = useNow();
  const { scheduledSyncsPaused } = useSyncStatus().jobs;
  if (!connection.autoSync) return <span>Auto-sync off</span>;
  if (connection.status === 'needs_reauth') return <span>Paused until the keys are updated</span>;
  if (connection.pendingRun) return null;
  // No promise of a time nothing will keep; said here only when the badge tells something else.
  if (scheduledSyncsPaused) {
    return badgeSaysPaused(connection, scheduledSyncsPaused) ? null : <span>{SCHEDULED_SYNCS_PAUSED}</span>;
  }
  if (!connection.nextSyncAt) return null;
  // A due sync waits for the scheduler's next pass: "due now" reads better than "1 min ago".
  // `now` is the server's render time during hydration too (use-now.ts), so both pick the same branch.
  if (Date.parse(connection.nextSyncAt) <= now) return <span>Next sync due now</span>;
  return (
    <span>
      Next sync <RelativeTime date={connection.nextSyncAt} />
    </span>
  );
}
