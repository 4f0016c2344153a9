import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, historyStreams } from '@/db/schema';
import { historyStrategyFor } from '@/lib/exchanges/history';
import { failure, notFound, type Result } from '@/lib/connections/result';
import { ensureImportRow } from './import-page';
import { startHistoryImport } from './start';

export type AddStreamResult = Result<{ added: boolean }>;

/**
 * "Add a market": a stream the user names (Binance: a market symbol like BTC/USDT) is added to the
 * connection's history streams, source 'manual', when the exchange's strategy can read it; then an
 * import starts. Only for the user's own connected connection.
 */
export async function addManualStream(
  userId: string,
  connectionId: string,
  stream: string,
  db: Database = getDb(),
): Promise<AddStreamResult> {
  const [connection] = await db
    .select({ exchangeId: exchangeConnections.exchangeId })
    .from(exchangeConnections)
    .where(
      and(
        eq(exchangeConnections.id, connectionId),
        eq(exchangeConnections.userId, userId),
        isNull(exchangeConnections.disconnectedAt),
      ),
    );
  if (!connection) return notFound();
  const strategy = historyStrategyFor(connection.exchangeId);
  if (!strategy.acceptsManualStream) {
    return failure('Markets cannot be added by hand on this exchange: its history covers them all.');
  }
  if (!strategy.acceptsManualStream(stream)) {
    const message = `Market: "${stream}" is not a market this exchange lists. Write it as BASE/QUOTE, e.g. BTC/USDT.`;
    return failure(message, { stream: message });
  }
  await ensureImportRow(db, { connectionId, userId, exchangeId: connection.exchangeId }, 'queued');
  const inserted = await db
    .insert(historyStreams)
    .values({ connectionId, userId, stream, source: 'manual', updatedAt: new Date() })
    .onConflictDoNothing()
    .returning({ stream: historyStreams.stream });
  await startHistoryImport({ connectionId, userId, exchangeId: connection.exchangeId }, db);
  return { ok: true, added: inserted.length > 0 };
}
