import 'server-only';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, exchangeCredentials, syncRuns, type ConnectionStatus } from '@/db/schema';
import { DEFAULT_RATE_LIMIT_WAIT_MS, type ExchangeErrorKind } from '@/lib/exchanges/errors';
import { backoffSecondsSql } from './backoff';
import { clipError } from './runs';

export type SyncFailureKind = ExchangeErrorKind | 'not_found';

/** Retrying cannot help: the keys were refused, or the connection is gone. */
export function isRetriable(kind: SyncFailureKind): boolean {
  return kind !== 'auth' && kind !== 'not_found';
}

export interface SyncFailure {
  connectionId: string;
  runId: string;
  kind: SyncFailureKind;
  /** Plain English, already redacted. */
  message: string;
  retryAfterMs?: number;
  now?: Date;
}

// 'disabled' is an operator's decision that a failed sync must not undo.
function statusUnlessDisabled(status: ConnectionStatus) {
  return sql`case when ${exchangeConnections.status} = 'disabled' then 'disabled' else ${status} end`;
}

/** The connection's columns after a failed read, by kind. Computed by the database in one UPDATE. */
function connectionStateAfter(failure: SyncFailure, now: Date) {
  const common = {
    lastSyncAt: now,
    lastError: clipError(failure.message),
    consecutiveFailures: sql`${exchangeConnections.consecutiveFailures} + 1`,
    updatedAt: now,
  };
  if (failure.kind === 'auth') {
    // No scheduled sync until the user updates the keys (which sets the connection active again).
    return { ...common, status: statusUnlessDisabled('needs_reauth'), nextSyncAt: null, blockedUntil: null };
  }
  if (failure.kind === 'rate_limit') {
    const blockedUntil = new Date(now.getTime() + (failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS));
    return { ...common, status: statusUnlessDisabled('rate_limited'), blockedUntil, nextSyncAt: blockedUntil };
  }
  const delaySeconds = backoffSecondsSql(
    exchangeConnections.syncIntervalSeconds,
    sql`${exchangeConnections.consecutiveFailures} + 1`,
  );
  return {
    ...common,
    status: statusUnlessDisabled('error'),
    blockedUntil: null,
    nextSyncAt: sql`${now.toISOString()}::timestamptz + make_interval(secs => ${delaySeconds})`,
  };
}

/**
 * A refusal is about the key the run used. When the user saved a new key while the run was reading
 * with the old one, the refusal must not mark the new key `needs_reauth` (the run itself still fails).
 */
function keyUnchangedSinceRunStarted(failure: SyncFailure) {
  return sql`not exists (
    select 1 from ${exchangeCredentials} cr join ${syncRuns} r on r.id = ${failure.runId}
    where cr.connection_id = ${failure.connectionId} and cr.updated_at > r.started_at)`;
}

/**
 * Records a failed sync: the connection's state (needs_reauth, rate_limited with blocked_until, or
 * error with a backed-off next_sync_at) and the run's — back to 'queued' for Inngest's retry when
 * retrying can help, 'failed' otherwise. Holdings are never touched.
 */
export async function recordSyncFailure(failure: SyncFailure, db: Database = getDb()): Promise<void> {
  const now = failure.now ?? new Date();
  const retriable = isRetriable(failure.kind);
  await db.transaction(async (tx) => {
    if (failure.kind !== 'not_found') {
      await tx
        .update(exchangeConnections)
        .set(connectionStateAfter(failure, now))
        .where(
          and(
            eq(exchangeConnections.id, failure.connectionId),
            isNull(exchangeConnections.disconnectedAt),
            failure.kind === 'auth' ? keyUnchangedSinceRunStarted(failure) : undefined,
          ),
        );
    }
    await tx
      .update(syncRuns)
      .set({
        status: retriable ? 'queued' : 'failed',
        finishedAt: retriable ? null : now,
        errorKind: failure.kind,
        error: clipError(failure.message),
      })
      .where(
        and(
          eq(syncRuns.id, failure.runId),
          eq(syncRuns.connectionId, failure.connectionId),
          eq(syncRuns.status, 'running'),
        ),
      );
  });
}
