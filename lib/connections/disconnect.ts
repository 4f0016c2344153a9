import 'server-only';
import { and, eq } from 'drizzle-orm';
import { getDb } from '@/db';
import {
  activityEntries,
  exchangeConnections,
  exchangeCredentials,
  historyImports,
  historyStreams,
  holdings,
} from '@/db/schema';
import { transitionConnection, transitionRuns } from '@/lib/sync/state';
import { connectionDisconnected } from '@/lib/jobs/events';
import { dispatch } from '@/lib/jobs/dispatch';
import { notFound, type Result } from './result';
import { isConnectionId, type DisconnectChoice } from './schemas';

export const DISCONNECTED_RUN_ERROR = 'Disconnected';
const BEST_EFFORT_TIMEOUT_MS = 1_000;

/**
 * Disconnects at once, in one transaction: the credentials row is deleted, the connection is marked
 * disconnected (`disabled`, never scheduled again), its queued or running runs fail with
 * "Disconnected", its holdings go unless the user keeps them, its history import stops, and its imported
 * history (activity entries, streams, import) goes only if the user asks. Balance history stays. Then
 * Inngest is told, best effort, so it cancels the connection's pending sync and import (`cancelOn`);
 * the database state above already stops any sync or import page that still starts. Disconnecting again only removes holdings kept before.
 */
export async function disconnect(
  userId: string,
  connectionId: string,
  choice: DisconnectChoice,
): Promise<Result<{ alreadyDisconnected: boolean; holdingsRemoved: number; historyRemoved: number }>> {
  // Postgres would refuse a malformed id in the uuid comparison: answer it as one that is not the user's.
  if (!isConnectionId(connectionId)) return notFound();

  const now = new Date();
  const outcome = await getDb().transaction(async (tx) => {
    const ours = and(eq(exchangeConnections.id, connectionId), eq(exchangeConnections.userId, userId));
    // The same row lock a sync takes to apply balances, so the two never interleave.
    const [connection] = await tx
      .select({ disconnectedAt: exchangeConnections.disconnectedAt })
      .from(exchangeConnections)
      .where(ours)
      .for('update');
    if (!connection) return null;

    await tx
      .delete(exchangeCredentials)
      .where(and(eq(exchangeCredentials.connectionId, connectionId), eq(exchangeCredentials.userId, userId)));
    if (!connection.disconnectedAt) {
      await transitionConnection(
        'disconnected',
        { connectionId, userId, now },
        { disconnectedAt: now, nextSyncAt: null, blockedUntil: null, updatedAt: now },
        tx,
      );
      await transitionRuns(
        'fail',
        { connectionId, userId },
        { finishedAt: now, errorKind: 'disconnected', error: DISCONNECTED_RUN_ERROR },
        tx,
      );
    }
    // The history import stops: never scheduled again, and a page still in flight finds the connection
    // disconnected and writes nothing (lib/history/store-page.ts). Imported history stays unless asked.
    const ownImport = and(eq(historyImports.connectionId, connectionId), eq(historyImports.userId, userId));
    let historyRemoved = 0;
    if (choice.deleteHistory) {
      const deleted = await tx
        .delete(activityEntries)
        .where(and(eq(activityEntries.connectionId, connectionId), eq(activityEntries.userId, userId)))
        .returning({ id: activityEntries.id });
      historyRemoved = deleted.length;
      await tx
        .delete(historyStreams)
        .where(and(eq(historyStreams.connectionId, connectionId), eq(historyStreams.userId, userId)));
      await tx.delete(historyImports).where(ownImport);
    } else {
      await tx.update(historyImports).set({ state: 'idle', nextImportAt: null, updatedAt: now }).where(ownImport);
    }
    const removed = choice.keepHoldings
      ? []
      : await tx
          .delete(holdings)
          .where(and(eq(holdings.connectionId, connectionId), eq(holdings.userId, userId)))
          .returning({ asset: holdings.asset });
    return {
      alreadyDisconnected: connection.disconnectedAt !== null,
      holdingsRemoved: removed.length,
      historyRemoved,
    };
  });
  if (!outcome) return notFound();

  if (!outcome.alreadyDisconnected) {
    // Best effort: the disconnection above is already final (dispatch never throws), so the user waits
    // at most a second for an unreachable Inngest.
    await dispatch(connectionDisconnected.create({ connectionId }), { timeoutMs: BEST_EFFORT_TIMEOUT_MS });
  }
  return { ok: true, ...outcome };
}
