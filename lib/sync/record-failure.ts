import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, exchangeCredentials, syncRuns } from '@/db/schema';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from '@/lib/exchanges/errors';
import { backoffSecondsSql } from './backoff';
import { isRetriable, type SyncFailureKind } from './failure-kinds';
import { clipError } from './runs';
import { connectionTransitionAfter, transitionConnection, transitionRuns, type ConnectionColumns } from './state';

export { isRetriable, type SyncFailureKind } from './failure-kinds';

export interface SyncFailure {
  connectionId: string;
  runId: string;
  kind: SyncFailureKind;
  /** Plain English, already redacted. */
  message: string;
  retryAfterMs?: number;
  now?: Date;
}

/** The connection's columns after a failed read, by kind, besides its status. Computed by the database in one UPDATE. */
function connectionColumnsAfter(failure: SyncFailure, now: Date): ConnectionColumns {
  const common = {
    lastSyncAt: now,
    lastError: clipError(failure.message),
    consecutiveFailures: sql`${exchangeConnections.consecutiveFailures} + 1`,
    updatedAt: now,
  };
  if (failure.kind === 'auth' || failure.kind === 'credentials_unreadable') {
    // No scheduled sync until the user updates the keys (which sets the connection active again).
    return { ...common, nextSyncAt: null, blockedUntil: null };
  }
  if (failure.kind === 'rate_limit') {
    const blockedUntil = new Date(now.getTime() + (failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS));
    return { ...common, blockedUntil, nextSyncAt: blockedUntil };
  }
  const delaySeconds = backoffSecondsSql(
    exchangeConnections.syncIntervalSeconds,
    sql`${exchangeConnections.consecutiveFailures} + 1`,
  );
  return {
    ...common,
    blockedUntil: null,
    nextSyncAt: sql`${now.toISOString()}::timestamptz + make_interval(secs => ${delaySeconds})`,
  };
}

/**
 * A refused or unreadable key is about the key the run used. When the user saved a new key while the
 * run was reading with the old one, the failure must not mark the new key `needs_reauth` (the run
 * itself still fails).
 */
function keyUnchangedSinceRunStarted(failure: SyncFailure) {
  return sql`not exists (
    select 1 from ${exchangeCredentials} cr join ${syncRuns} r on r.id = ${failure.runId}
    where cr.connection_id = ${failure.connectionId} and cr.updated_at > r.started_at)`;
}

/**
 * Records a failed sync: the connection's state (needs_reauth, rate_limited with blocked_until, or
 * error with a backed-off next_sync_at; a disabled connection is left alone) and the run's — back to
 * 'queued' for Inngest's retry when retrying can help, 'failed' otherwise. Holdings are never touched.
 */
export async function recordSyncFailure(failure: SyncFailure, db: Database = getDb()): Promise<void> {
  const now = failure.now ?? new Date();
  const transition = connectionTransitionAfter(failure.kind);
  await db.transaction(async (tx) => {
    if (transition) {
      await transitionConnection(
        transition,
        {
          connectionId: failure.connectionId,
          now,
          where: transition === 'needsReauth' ? keyUnchangedSinceRunStarted(failure) : undefined,
        },
        connectionColumnsAfter(failure, now),
        tx,
      );
    }
    const retriable = isRetriable(failure.kind);
    await transitionRuns(
      retriable ? 'retry' : 'failAttempt',
      { runId: failure.runId, connectionId: failure.connectionId },
      { finishedAt: retriable ? null : now, errorKind: failure.kind, error: clipError(failure.message) },
      tx,
    );
  });
}
