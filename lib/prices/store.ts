import 'server-only';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { assetPrices, priceHistory } from '@/db/schema';
import { Dec, plain } from './decimal';
import type { PricedAsset, RejectedPrice } from './pricing';

/**
 * A price further than this from the last one stored within SPIKE_WINDOW_MS is taken for a bad
 * ticker, not a market move, and not stored.
 */
export const MAX_MOVE = new Dec('0.5');
/** "Within a minute": the refresher runs every minute, so this covers the previous run and its jitter. */
export const SPIKE_WINDOW_MS = 90_000;

/**
 * Stores one exchange's new prices as its latest and as the current hour's in the history, in one
 * transaction, leaving out (and reporting) any that moved more than MAX_MOVE within SPIKE_WINDOW_MS.
 */
export async function storePrices(
  exchangeId: string,
  prices: PricedAsset[],
  now: Date,
  db: Database = getDb(),
): Promise<{ stored: number; rejected: RejectedPrice[] }> {
  if (prices.length === 0) return { stored: 0, rejected: [] };
  return db.transaction(async (tx) => {
    const last = await tx
      .select({ asset: assetPrices.asset, usd: sql<string>`${assetPrices.usd}::text`, pricedAt: assetPrices.pricedAt })
      .from(assetPrices)
      .where(
        and(
          eq(assetPrices.exchangeId, exchangeId),
          inArray(
            assetPrices.asset,
            prices.map((price) => price.asset),
          ),
        ),
      );
    const lastByAsset = new Map(last.map((row) => [row.asset, row]));
    const rejected: RejectedPrice[] = [];
    const accepted = prices.filter((price) => {
      const previous = lastByAsset.get(price.asset);
      if (!previous || now.getTime() - previous.pricedAt.getTime() > SPIKE_WINDOW_MS) return true;
      const move = new Dec(price.usd).minus(previous.usd).abs().div(previous.usd);
      if (move.lte(MAX_MOVE)) return true;
      rejected.push({
        asset: price.asset,
        reason: `${price.pair} moved ${plain(move.times(100).toDecimalPlaces(1))}% from ${previous.usd} to ${price.usd} within a minute`,
      });
      return false;
    });
    if (accepted.length > 0) {
      await tx
        .insert(assetPrices)
        .values(accepted.map((price) => ({ ...price, exchangeId, pricedAt: now })))
        .onConflictDoUpdate({
          target: [assetPrices.asset, assetPrices.exchangeId],
          set: { usd: sql`excluded.usd`, pair: sql`excluded.pair`, pricedAt: sql`excluded.priced_at` },
        });
      const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
      await tx
        .insert(priceHistory)
        .values(accepted.map((price) => ({ asset: price.asset, exchangeId, hour, usd: price.usd })))
        .onConflictDoUpdate({
          target: [priceHistory.asset, priceHistory.exchangeId, priceHistory.hour],
          set: { usd: sql`excluded.usd` },
        });
    }
    return { stored: accepted.length, rejected };
  });
}
