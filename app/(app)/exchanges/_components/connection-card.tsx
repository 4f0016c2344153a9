'use client';

import { AlertTriangle, ChevronRight, KeyRound } from 'lucide-react';
import type { Route } from 'next';
import Link from 'next/link';
import { Badge } from '@/app/_components/ui/badge';
import { Card } from '@/app/_components/ui/card';
import type { ConnectionView } from '@/lib/connections/view';
import {
  badgeSaysPaused,
  ConnectionStatusBadge,
  ConnectionStatusReason,
  SCHEDULED_SYNCS_PAUSED,
} from '../../_components/status-badge';
import { ExchangeAvatar } from '../../_components/exchange-avatar';
import { RelativeTime } from '../../_components/relative-time';
import { SyncNowButton } from '../../_components/sync-now-button';
import { useSyncStatus } from '../../_components/sync-status';
import { useNow } from '../../_components/use-now';
import { formatInterval } from './sync-interval';

/** When the scheduler will next look at this connection, or why it will not. */
function NextSync({ connection }: { connection: ConnectionView }) {
  const now = useNow();
  const { scheduledSyncsPaused } = useSyncStatus().jobs;
  if (connection.disconnectedAt) return <>No further syncs</>;
  if (connection.status === 'needs_reauth') return <>Paused until the keys are updated</>;
  if (!connection.autoSync) return <>Auto-sync off</>;
  if (connection.pendingRun) return <>Syncing now</>;
  // No promise of a time nothing will keep: the badge says it, or this line does when the badge tells a failure.
  if (scheduledSyncsPaused) {
    return badgeSaysPaused(connection, scheduledSyncsPaused) ? <>Updates on Sync now</> : <>{SCHEDULED_SYNCS_PAUSED}</>;
  }
  const next = connection.blockedUntil ?? connection.nextSyncAt;
  if (!next) return <>Auto-sync every {formatInterval(connection.syncIntervalSeconds)}</>;
  // A due sync waits for the scheduler's next pass (each minute): "any moment" rather than "1 min ago".
  // `now` is the server's render time during hydration too (use-now.ts), so both pick the same branch.
  if (new Date(next).getTime() <= now) return <>Next sync any moment</>;
  return (
    <>
      Next sync <RelativeTime date={next} />
    </>
  );
}

/**
 * When it last synced. last_sync_at also moves on a failed attempt, so after a failure both the
 * attempt and the last success are told: "Last synced 1 min ago" would hide that it failed.
 */
function LastSync({ connection }: { connection: ConnectionView }) {
  const { lastSyncAt, lastSuccessAt } = connection;
  const failedSince = lastSyncAt !== null && (lastSuccessAt === null || lastSyncAt > lastSuccessAt);
  if (failedSince && connection.status !== 'active') {
    return (
      <>
        Last attempt <RelativeTime date={lastSyncAt} />
        {lastSuccessAt ? (
          <span className="text-muted">
            {' '}
            · last success <RelativeTime date={lastSuccessAt} />
          </span>
        ) : null}
      </>
    );
  }
  if (!lastSyncAt) return <>Never synced</>;
  return (
    <>
      Last synced <RelativeTime date={lastSyncAt} />
    </>
  );
}

/**
 * One connection: who (exchange and label), its status in words, when it last and next syncs, the
 * key's last four characters, and Sync now. The article is named by the label so it can be found.
 */
export function ConnectionCard({ connection }: { connection: ConnectionView }) {
  const href = `/exchanges/${connection.id}` as Route;
  const disconnected = Boolean(connection.disconnectedAt);
  return (
    <article aria-label={connection.label} className="h-full">
      <Card className="flex h-full flex-col">
        <div className="flex items-start gap-3 p-4 sm:p-5">
          <ExchangeAvatar exchangeId={connection.exchangeId} name={connection.exchangeName} />
          <div className="flex min-w-0 flex-1 flex-col gap-1">
            <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1.5">
              <h2 className="min-w-0 truncate text-base font-semibold">
                <Link
                  href={href}
                  className="rounded-sm hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                >
                  {connection.label}
                </Link>
              </h2>
              <ConnectionStatusBadge connection={connection} />
            </div>
            <ConnectionStatusReason connection={connection} />
            <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-muted">
              <span>{connection.exchangeName}</span>
              {connection.sandbox ? <Badge tone="warning">Sandbox</Badge> : null}
              {connection.keyHint ? (
                <>
                  <span aria-hidden>·</span>
                  <span className="inline-flex items-center gap-1">
                    <KeyRound className="size-3.5" aria-hidden />
                    Key <span className="font-mono">••••{connection.keyHint}</span>
                  </span>
                </>
              ) : null}
            </p>
            {connection.permissions?.trade ? (
              <p className="flex items-center gap-1.5 text-xs text-muted">
                <AlertTriangle className="size-3.5 shrink-0 text-warning" aria-hidden />
                This key can also trade — Coinsphere only ever reads balances.
              </p>
            ) : null}
          </div>
        </div>

        <div className="mt-auto flex flex-wrap items-center justify-between gap-3 border-t border-border px-4 py-3 sm:px-5">
          <dl className="flex flex-col gap-0.5 text-sm">
            <div className="flex gap-1">
              <dt className="sr-only">Last sync</dt>
              <dd>
                <LastSync connection={connection} />
              </dd>
            </div>
            <div className="flex gap-1 text-muted">
              <dt className="sr-only">Next sync</dt>
              <dd>
                <NextSync connection={connection} />
              </dd>
            </div>
          </dl>
          <div className="flex items-center gap-2">
            {connection.status === 'needs_reauth' && !disconnected ? (
              <Link
                href={`${href}#update-keys` as Route}
                className="text-sm font-medium text-primary hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              >
                Update keys
              </Link>
            ) : !disconnected ? (
              <SyncNowButton connectionId={connection.id} label={connection.label} />
            ) : null}
            <Link
              href={href}
              className="inline-flex size-8 items-center justify-center rounded-lg text-muted hover:bg-subtle hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              // The label above already links here; this is a larger target for the pointer only.
              aria-hidden
              tabIndex={-1}
            >
              <ChevronRight className="size-4" aria-hidden />
            </Link>
          </div>
        </div>
      </Card>
    </article>
  );
}
