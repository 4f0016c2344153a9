import 'server-only';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { fetchBalances } from '@/lib/exchanges/balances';
import { classifyExchangeError } from '@/lib/exchanges/errors';
import type { BalanceResult } from '@/lib/exchanges/types';
import { secretValues } from '@/lib/vault/credentials';
import { loadCredentials } from '@/lib/vault/store';
import { MalformedBalancesError, SyncNotAppliedError, writeSyncResult } from './apply-result';
import { isRetriable, recordSyncFailure, type SyncFailureKind } from './record-failure';
import { PENDING_RUN_STATUSES } from './runs';
import type { SyncOutcome } from './types';

export { applySyncResult, MalformedBalancesError, SyncNotAppliedError } from './apply-result';

const CONNECTION_GONE = 'This connection was disconnected, so it was not synced.';
const CONNECTION_DISABLED = 'This connection is disabled, so it was not synced.';
const UNREADABLE_ANSWER =
  'The exchange sent an answer we could not read. Your balances were left as they were; we will try again.';
const SKIPPED: SyncOutcome = { status: 'skipped', reason: 'The run is no longer queued or running.' };

async function fail(
  connectionId: string,
  runId: string,
  failure: { kind: SyncFailureKind; message: string; retryAfterMs?: number },
): Promise<SyncOutcome> {
  await recordSyncFailure({ connectionId, runId, ...failure });
  return {
    status: 'failed',
    kind: failure.kind,
    message: failure.message,
    retriable: isRetriable(failure.kind),
    ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
  };
}

/**
 * Runs one attempt of a sync run: claims the run (queued or running → running, attempts + 1), reads the
 * connection's balances with its credentials — decrypted here and dropped when this call returns — and
 * applies them in one transaction, or records the classified failure. Returns counts and redacted
 * messages only. Database errors are thrown, so the job engine retries the attempt.
 */
export async function syncConnection(connectionId: string, runId: string): Promise<SyncOutcome> {
  const db = getDb();
  const [run] = await db
    .update(syncRuns)
    .set({ status: 'running', attempts: sql`${syncRuns.attempts} + 1`, startedAt: new Date() })
    .where(
      and(
        eq(syncRuns.id, runId),
        eq(syncRuns.connectionId, connectionId),
        inArray(syncRuns.status, [...PENDING_RUN_STATUSES]),
      ),
    )
    .returning({ userId: syncRuns.userId });
  if (!run) return SKIPPED;

  const [connection] = await db
    .select({
      exchangeId: exchangeConnections.exchangeId,
      sandbox: exchangeConnections.sandbox,
      status: exchangeConnections.status,
    })
    .from(exchangeConnections)
    .where(
      and(
        eq(exchangeConnections.id, connectionId),
        eq(exchangeConnections.userId, run.userId),
        isNull(exchangeConnections.disconnectedAt),
      ),
    );
  if (connection?.status === 'disabled') {
    return fail(connectionId, runId, { kind: 'not_found', message: CONNECTION_DISABLED });
  }
  const credentials = connection ? await loadCredentials(run.userId, connectionId) : null;
  if (!connection || !credentials) return fail(connectionId, runId, { kind: 'not_found', message: CONNECTION_GONE });

  let result: BalanceResult;
  try {
    result = await fetchBalances({ exchangeId: connection.exchangeId, credentials, sandbox: connection.sandbox });
  } catch (error) {
    const { kind, userMessage, retryAfterMs } = classifyExchangeError(error, secretValues(credentials));
    return fail(connectionId, runId, { kind, message: userMessage, retryAfterMs });
  }

  try {
    const written = await writeSyncResult({ connectionId, runId, result }, db);
    return { status: 'succeeded', ...written };
  } catch (error) {
    if (error instanceof MalformedBalancesError) {
      return fail(connectionId, runId, { kind: 'malformed', message: UNREADABLE_ANSWER });
    }
    if (error instanceof SyncNotAppliedError) {
      return error.reason === 'connection_gone'
        ? fail(connectionId, runId, { kind: 'not_found', message: CONNECTION_GONE })
        : SKIPPED;
    }
    throw error;
  }
}
