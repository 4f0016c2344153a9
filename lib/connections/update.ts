import 'server-only';
import { logger } from '@/lib/log';
import { startHistoryImport } from '@/lib/history/start';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { getDb } from '@/db';
import { exchangeConnections } from '@/db/schema';
import { enqueueRun } from '@/lib/sync/runs';
import { transitionConnection } from '@/lib/sync/state';
import { findConnectionWithKey, replaceCredentials } from '@/lib/vault/store';
import { FINGERPRINT_INDEX } from './connect';
import { applyBalancesAlreadyRead } from './first-sync';
import { checkKey, duplicateKeyFailure, prepareCredentials, summarizeBalances, type CheckedKey } from './key-check';
import { takeConnectionCheck } from '@/lib/limits/user-limits';
import { getConnection, type ConnectionDto } from './list';
import { failure, notFound, type Result } from './result';
import { isConnectionId, type ConnectionChanges } from './schemas';
import { DISCONNECTED_MESSAGE } from './sync-now';
import { isUniqueViolation } from './unique-violation';

class ConnectionGone extends Error {}
class ConnectionDisabled extends Error {}

/**
 * Changes a connection's label, sync interval, auto-sync or API key. A new key is checked exactly like
 * at connect (withdraw refused, trading acknowledged, not already connected elsewhere) before it
 * replaces the stored one; it clears `needs_reauth`, and the balances it read are applied at once.
 */
export async function updateConnection(
  userId: string,
  connectionId: string,
  changes: ConnectionChanges,
): Promise<Result<{ connection: ConnectionDto; warnings: string[]; assets: number | null }>> {
  // Postgres would refuse a malformed id in the uuid comparison: answer it as one that is not the user's.
  if (!isConnectionId(connectionId)) return notFound();

  const [current] = await getDb()
    .select({
      exchangeId: exchangeConnections.exchangeId,
      sandbox: exchangeConnections.sandbox,
      disconnectedAt: exchangeConnections.disconnectedAt,
    })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.id, connectionId), eq(exchangeConnections.userId, userId)));
  if (!current) return notFound();
  if (current.disconnectedAt) return failure(DISCONNECTED_MESSAGE);

  let key: CheckedKey | undefined;
  if (changes.credentials) {
    const prepared = prepareCredentials(current.exchangeId, changes.credentials, current.sandbox);
    if (!prepared.ok) return prepared;
    const existing = await findConnectionWithKey(userId, current.exchangeId, prepared.credentials.apiKey);
    if (existing && existing.connectionId !== connectionId) return duplicateKeyFailure(existing);
    // New keys are tried on the exchange like Test connection's: the same count, so Update keys is no way around it.
    const refused = await takeConnectionCheck(userId, prepared.exchange);
    if (refused) return failure(refused);
    const checked = await checkKey({
      ...prepared,
      sandbox: current.sandbox,
      acknowledgeTradingPermission: changes.acknowledgeTradingPermission,
    });
    if (!checked.ok) return checked;
    key = checked.key;
  }

  const now = new Date();
  // postgres.js cannot bind a Date inside raw SQL, so timestamps in sql`` travel as ISO text.
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  const set: PgUpdateSetSource<typeof exchangeConnections> = { updatedAt: now };
  if (changes.label !== undefined) set.label = changes.label;
  if (changes.autoSync !== undefined) set.autoSync = changes.autoSync;
  if (changes.syncIntervalSeconds !== undefined) {
    set.syncIntervalSeconds = changes.syncIntervalSeconds;
    // Counted from the last sync: a shorter interval that has already elapsed makes the connection due now.
    set.nextSyncAt = sql`coalesce(${exchangeConnections.lastSyncAt}, ${nowSql}) + make_interval(secs => ${changes.syncIntervalSeconds})`;
  } else if (changes.autoSync) {
    set.nextSyncAt = sql`coalesce(${exchangeConnections.nextSyncAt}, ${nowSql})`;
  }
  if (key) set.permissions = key.permissions ? { ...key.permissions } : null;

  try {
    await getDb().transaction(async (tx) => {
      if (key && !(await replaceCredentials(userId, connectionId, key.credentials, tx))) throw new ConnectionGone();
      const updated = await tx
        .update(exchangeConnections)
        .set(set)
        .where(
          and(
            eq(exchangeConnections.id, connectionId),
            eq(exchangeConnections.userId, userId),
            isNull(exchangeConnections.disconnectedAt),
          ),
        )
        .returning({ id: exchangeConnections.id });
      if (updated.length === 0) throw new ConnectionGone();
      // A new key makes the connection active again (needs_reauth cleared), unless it is disabled: an
      // operator's decision that the user's new key does not undo.
      const reactivated =
        !key ||
        (
          await transitionConnection(
            'keysReplaced',
            { connectionId, userId, now },
            { lastError: null, consecutiveFailures: 0, nextSyncAt: now },
            tx,
          )
        ).applied;
      if (!reactivated) throw new ConnectionDisabled();
    });
  } catch (error) {
    if (error instanceof ConnectionGone) return notFound();
    if (error instanceof ConnectionDisabled) return failure(DISCONNECTED_MESSAGE);
    if (key && isUniqueViolation(error, FINGERPRINT_INDEX)) {
      return duplicateKeyFailure(await findConnectionWithKey(userId, current.exchangeId, key.credentials.apiKey));
    }
    throw error;
  }

  if (key) {
    // The key check has just read the balances: apply them now unless a sync is already pending.
    const run = await enqueueRun({ connectionId, userId, trigger: 'keys_updated' });
    if (run.created) await applyBalancesAlreadyRead({ connectionId, runId: run.runId, balances: key.balances });
  }
  const connection = await getConnection(userId, connectionId);
  if (!connection) return notFound();
  // Distinct assets the new key read (an asset in two wallets counts once); null when no key changed.
  const assets = key ? summarizeBalances(key.balances).assets : null;
  if (key) {
    // New keys resume a history import that stopped on the old ones ("Enter the API key again to resume").
    await startHistoryImport({ connectionId, userId, exchangeId: current.exchangeId }).catch((error: unknown) => {
      logger.warn({ err: error, connectionId }, 'history import not restarted after new keys');
    });
  }
  return { ok: true, connection, warnings: key?.warnings ?? [], assets };
}
