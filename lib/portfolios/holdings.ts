import 'server-only';
import { and, asc, count, eq, isNull, min, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, holdings } from '@/db/schema';
import { findExchange } from '@/lib/exchanges/catalog';

/** One connection's and wallet's part of an asset. Amounts are exact decimal strings. */
export interface HoldingSource {
  connectionId: string;
  connectionLabel: string;
  exchangeId: string;
  exchangeName: string;
  wallet: string;
  free: string;
  used: string;
  total: string;
  /** The connection was disconnected and the user kept its holdings: frozen, no longer synced. */
  frozen: boolean;
}

export interface PortfolioAsset {
  asset: string;
  /** Sum over every source, computed by PostgreSQL in `numeric` (never in floats). */
  total: string;
  sources: HoldingSource[];
}

export interface PortfolioView {
  assets: PortfolioAsset[];
  /** The oldest last successful sync over the user's connected exchanges (the portfolio is as current as that); null when none has synced. */
  lastSyncedAt: Date | null;
  /** Connected (not disconnected) exchanges. */
  connectionCount: number;
}

/**
 * The portfolio: every holding of the user, aggregated by asset across connections, with the
 * per-source breakdown. One statement for the rows (the asset total is a window sum in numeric), one
 * for the freshness line.
 */
export async function getPortfolio(userId: string, db: Database = getDb()): Promise<PortfolioView> {
  const [rows, [freshness]] = await Promise.all([
    db
      .select({
        asset: holdings.asset,
        assetTotal: sql<string>`(sum(${holdings.total}) over (partition by ${holdings.asset}))::text`,
        wallet: holdings.wallet,
        free: sql<string>`${holdings.free}::text`,
        used: sql<string>`${holdings.used}::text`,
        total: sql<string>`${holdings.total}::text`,
        connectionId: exchangeConnections.id,
        connectionLabel: exchangeConnections.label,
        exchangeId: exchangeConnections.exchangeId,
        disconnectedAt: exchangeConnections.disconnectedAt,
      })
      .from(holdings)
      .innerJoin(
        exchangeConnections,
        and(eq(exchangeConnections.id, holdings.connectionId), eq(exchangeConnections.userId, userId)),
      )
      .where(eq(holdings.userId, userId))
      .orderBy(
        asc(holdings.asset),
        asc(exchangeConnections.createdAt),
        asc(exchangeConnections.id),
        asc(holdings.wallet),
      ),
    db
      .select({ lastSyncedAt: min(exchangeConnections.lastSuccessAt), connectionCount: count() })
      .from(exchangeConnections)
      .where(and(eq(exchangeConnections.userId, userId), isNull(exchangeConnections.disconnectedAt))),
  ]);

  const assets: PortfolioAsset[] = [];
  for (const row of rows) {
    let current = assets.at(-1);
    if (current?.asset !== row.asset) {
      current = { asset: row.asset, total: normalizeDecimal(row.assetTotal), sources: [] };
      assets.push(current);
    }
    current.sources.push({
      connectionId: row.connectionId,
      connectionLabel: row.connectionLabel,
      exchangeId: row.exchangeId,
      exchangeName: findExchange(row.exchangeId)?.name ?? row.exchangeId,
      wallet: row.wallet,
      free: normalizeDecimal(row.free),
      used: normalizeDecimal(row.used),
      total: normalizeDecimal(row.total),
      frozen: row.disconnectedAt !== null,
    });
  }
  return {
    assets,
    lastSyncedAt: freshness?.lastSyncedAt ? new Date(freshness.lastSyncedAt) : null,
    connectionCount: Number(freshness?.connectionCount ?? 0),
  };
}

/** `numeric` text without trailing fractional zeros ("1.50000000" → "1.5", "2.000" → "2"). */
export function normalizeDecimal(value: string): string {
  if (!value.includes('.')) return value;
  return value.replace(/\.?0+$/, '');
}
