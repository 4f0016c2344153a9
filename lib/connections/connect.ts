import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections } from '@/db/schema';
import { defaultSyncIntervalSeconds } from '@/lib/limits/policies';
import { connectionCapRefusal, takeConnectionCheck } from '@/lib/limits/user-limits';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import { ensureImportRow } from '@/lib/history/import-page';
import { startHistoryImport } from '@/lib/history/start';
import { logger } from '@/lib/log';
import { enqueueRun } from '@/lib/sync/runs';
import { findConnectionWithKey, insertCredentials } from '@/lib/vault/store';
import { defaultLabel } from './default-label';
import { applyBalancesAlreadyRead } from './first-sync';
import { checkKey, duplicateKeyFailure, prepareCredentials, summarizeBalances } from './key-check';
import { getConnection, type ConnectionDto } from './list';
import { failure, type Result } from './result';
import type { ConnectExchange } from './schemas';
import { isUniqueViolation } from './unique-violation';

export const FINGERPRINT_INDEX = 'exchange_credentials_fingerprint_key';

/** The cap, checked again inside the transaction after the exchange call (another connect may have finished). */
class ConnectionCapReached extends Error {}

async function labelsOf(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .select({ label: exchangeConnections.label })
    .from(exchangeConnections)
    .where(eq(exchangeConnections.userId, userId));
  return rows.map((row) => row.label);
}

/** The duplicate answer, also when the unique index caught a race the first check could not see. */
async function duplicateFailure(userId: string, exchangeId: string, apiKey: string) {
  return duplicateKeyFailure(await findConnectionWithKey(userId, exchangeId, apiKey));
}

/**
 * Connects an exchange account: checks the key once (permissions, then balances), stores the
 * connection and its encrypted credentials in one transaction with its first run, then applies the
 * balances already read as that run (trigger `connect`) — no second exchange call — and schedules
 * the next sync one interval later. Then starts the history backfill (lib/history/start.ts).
 */
export async function connectExchange(
  userId: string,
  input: ConnectExchange,
): Promise<Result<{ connection: ConnectionDto; warnings: string[]; assets: number }>> {
  const sandbox = input.sandbox ?? false;
  const prepared = prepareCredentials(input.exchangeId, input.credentials, sandbox);
  if (!prepared.ok) return prepared;
  const { exchange, credentials } = prepared;

  // Before any exchange call: the same key twice is refused without using it.
  if (await findConnectionWithKey(userId, exchange.id, credentials.apiKey)) {
    return duplicateFailure(userId, exchange.id, credentials.apiKey);
  }
  const capped = await connectionCapRefusal(userId);
  if (capped) return failure(capped);
  const refused = await takeConnectionCheck(userId, exchange);
  if (refused) return failure(refused);

  const checked = await checkKey({
    exchange,
    credentials,
    sandbox,
    acknowledgeTradingPermission: input.acknowledgeTradingPermission,
  });
  if (!checked.ok) return checked;
  const { key } = checked;

  // The ciphertext is bound to the row id, so the id exists before anything is encrypted.
  const connectionId = randomUUID();
  const intervalSeconds = defaultSyncIntervalSeconds();
  let runId: string;
  try {
    runId = await getDb().transaction(async (tx) => {
      const cappedNow = await connectionCapRefusal(userId, { db: tx, lock: true });
      if (cappedNow) throw new ConnectionCapReached(cappedNow);
      const portfolioId = await ensureDefaultPortfolio(tx, userId);
      const label = input.label ?? defaultLabel(exchange.name, await labelsOf(tx, userId));
      await tx.insert(exchangeConnections).values({
        id: connectionId,
        userId,
        portfolioId,
        exchangeId: exchange.id,
        label,
        sandbox,
        permissions: key.permissions ? { ...key.permissions } : null,
        status: 'active',
        syncIntervalSeconds: intervalSeconds,
        nextSyncAt: new Date(Date.now() + intervalSeconds * 1000),
      });
      await insertCredentials(tx, { connectionId, userId, exchangeId: exchange.id }, credentials);
      const run = await enqueueRun({ connectionId, userId, trigger: 'connect' }, tx);
      await ensureImportRow(tx, { connectionId, userId, exchangeId: exchange.id }, 'queued');
      return run.runId;
    });
  } catch (error) {
    if (error instanceof ConnectionCapReached) return failure(error.message);
    if (isUniqueViolation(error, FINGERPRINT_INDEX)) return duplicateFailure(userId, exchange.id, credentials.apiKey);
    throw error;
  }

  await applyBalancesAlreadyRead({ connectionId, runId, balances: key.balances });
  // The history backfill starts once the balances are stored (they appear at once); a send that fails
  // leaves the import due for the history scheduler, and never fails the connect.
  await startHistoryImport({ connectionId, userId, exchangeId: exchange.id }).catch((error: unknown) => {
    logger.warn({ err: error, connectionId }, 'history import not started after connect');
  });
  const connection = await getConnection(userId, connectionId);
  if (!connection) throw new Error('The new connection could not be read back');
  return { ok: true, connection, warnings: key.warnings, assets: summarizeBalances(key.balances).assets };
}
