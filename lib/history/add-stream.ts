import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, historyStreams } from '@/db/schema';
import { withPublicExchangeClient } from '@/lib/exchanges/client';
import { historyStrategyFor } from '@/lib/exchanges/history';
import { failure, notFound, type Result } from '@/lib/connections/result';
import { ensureImportRow } from './import-page';
import { startHistoryImport } from './start';

export type AddStreamResult = Result<{ added: boolean; stream: string }>;

/** Whether the exchange lists the market, from the markets every client shares (loaded once per process). */
async function marketListed(exchangeId: string, market: string): Promise<boolean> {
  try {
    return await withPublicExchangeClient(exchangeId, {}, async (client) => Boolean(client.markets?.[market]));
  } catch {
    return false;
  }
}

/**
 * "Add a market": a market the user names (Binance: ETH/BTC, read as the stream 'trades:ETH/BTC') is
 * added to the connection's history streams, source 'manual', when the exchange lists it and its
 * strategy can read it; then an import starts. Only for the user's own connected connection.
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
  const accepts = strategy.acceptsManualStream?.bind(strategy);
  if (!accepts) {
    return failure('Markets cannot be added by hand on this exchange: its history covers them all.');
  }
  // The user types a market ("eth/btc"); a strategy may name its stream after it ("trades:ETH/BTC").
  const market = stream.replace(/^trades:/i, '').toUpperCase();
  const name = [stream, market, `trades:${market}`].find((candidate) => accepts(candidate));
  const refused = `Market: "${stream}" is not a market this exchange lists. Write it as BASE/QUOTE, e.g. ETH/BTC.`;
  if (!name || !(await marketListed(connection.exchangeId, market))) return failure(refused, { stream: refused });
  await ensureImportRow(db, { connectionId, userId, exchangeId: connection.exchangeId }, 'queued');
  const inserted = await db
    .insert(historyStreams)
    .values({ connectionId, userId, stream: name, source: 'manual', updatedAt: new Date() })
    .onConflictDoNothing()
    .returning({ stream: historyStreams.stream });
  await startHistoryImport({ connectionId, userId, exchangeId: connection.exchangeId }, db);
  return { ok: true, added: inserted.length > 0, stream: name };
}
