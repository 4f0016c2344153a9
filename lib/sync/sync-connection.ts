import 'server-only';
import { ZodError } from 'zod';
import { getDb } from '@/db';
import { fetchBalances } from '@/lib/exchanges/balances';
import { classifyExchangeError } from '@/lib/exchanges/errors';
import type { BalanceResult } from '@/lib/exchanges/types';
import { DecryptError } from '@/lib/vault/cipher';
import { secretValues, type ExchangeCredentials } from '@/lib/vault/credentials';
import { openCredentials } from '@/lib/vault/store';
import { MalformedBalancesError, SyncNotAppliedError, writeSyncResult } from './apply-result';
import { CREDENTIALS_UNREADABLE_MESSAGE, isRetriable, type SyncFailureKind } from './failure-kinds';
import { recordSyncFailure } from './record-failure';
import { startRun } from './start-run';
import type { SyncOutcome } from './types';
import { logger } from '@/lib/log';

export { applySyncResult, MalformedBalancesError, SyncNotAppliedError } from './apply-result';

const CONNECTION_GONE = 'This connection was disconnected, so it was not synced.';
const CONNECTION_DISABLED = 'This connection is disabled, so it was not synced.';
const UNREADABLE_ANSWER =
  'The exchange sent an answer we could not read. Your balances were left as they were; we will try again.';
const SKIPPED: SyncOutcome = { status: 'skipped', reason: 'The run is no longer queued or running.' };

/**
 * The stored ciphertext does not decrypt (its key is not in the keyring, or it was altered) or does
 * not hold a credential set: no retry can read it, only new keys help.
 */
function isUnreadableCredentials(error: unknown): boolean {
  return error instanceof DecryptError || error instanceof ZodError || error instanceof SyntaxError;
}

function unreadableReason(error: unknown): string {
  if (!(error instanceof DecryptError)) return 'they decrypt to something other than a credential set';
  return error.kid ? `${error.reason}, key "${error.kid}"` : error.reason;
}

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
 * Runs one attempt of a sync run: claims the run (queued or running → running, attempts + 1) and reads
 * the connection and its sealed credentials in the same statement, reads the connection's balances
 * with the credentials — decrypted here and dropped when this call returns — and
 * applies them in one transaction, or records the classified failure (credentials that no longer
 * decrypt included: `credentials_unreadable`). Returns counts and redacted messages only. Database
 * errors are thrown, so the job engine retries the attempt.
 */
export async function syncConnection(connectionId: string, runId: string): Promise<SyncOutcome> {
  const db = getDb();
  const run = await startRun(runId, connectionId, db);
  if (!run) return SKIPPED;
  const { connection } = run;
  if (connection?.status === 'disabled') {
    return fail(connectionId, runId, { kind: 'not_found', message: CONNECTION_DISABLED });
  }
  let credentials: ExchangeCredentials | null = null;
  try {
    credentials = connection?.ciphertext
      ? openCredentials({ connectionId, userId: run.userId }, connection.ciphertext)
      : null;
  } catch (error) {
    if (!isUnreadableCredentials(error)) throw error;
    // The operator must learn that a key left the keyring (or a row was altered); the reason and key
    // id are not secret, the ciphertext never reaches this message.
    logger.error({ connectionId, syncRunId: runId, reason: unreadableReason(error) }, 'stored credentials cannot be read');
    return fail(connectionId, runId, { kind: 'credentials_unreadable', message: CREDENTIALS_UNREADABLE_MESSAGE });
  }
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
      if (error.reason === 'connection_gone') {
        return fail(connectionId, runId, { kind: 'not_found', message: CONNECTION_GONE });
      }
      if (error.reason === 'connection_disabled') {
        return fail(connectionId, runId, { kind: 'not_found', message: CONNECTION_DISABLED });
      }
      return SKIPPED;
    }
    throw error;
  }
}
