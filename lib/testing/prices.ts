// Test data for prices and valuation: holdings, stored prices and history inserted the way the sync
// and the price refresher store them.
import { getDb } from '@/db';
import { assetPrices, balanceHistory, holdings, priceHistory } from '@/db/schema';

export async function insertHoldings(
  userId: string,
  connectionId: string,
  rows: Array<[asset: string, wallet: string, total: string]>,
): Promise<void> {
  await getDb()
    .insert(holdings)
    .values(
      rows.map(([asset, wallet, total]) => ({ connectionId, userId, asset, wallet, free: total, used: '0', total })),
    );
}

/** Latest prices: [asset, exchange, usd, pair, pricedAt]. */
export async function insertPrices(rows: Array<[asset: string, exchangeId: string, usd: string, pair: string, at: Date]>) {
  await getDb()
    .insert(assetPrices)
    .values(rows.map(([asset, exchangeId, usd, pair, pricedAt]) => ({ asset, exchangeId, usd, pair, pricedAt })));
}

/** Hourly prices: [asset, exchange, hour, usd]. */
export async function insertPriceHistory(rows: Array<[asset: string, exchangeId: string, hour: Date, usd: string]>) {
  if (rows.length === 0) return;
  await getDb()
    .insert(priceHistory)
    .values(rows.map(([asset, exchangeId, hour, usd]) => ({ asset, exchangeId, hour, usd })));
}

/** Hourly balances: [connection, asset, hour, total]. */
export async function insertBalanceHistory(
  rows: Array<[connectionId: string, asset: string, hour: Date, total: string]>,
): Promise<void> {
  if (rows.length === 0) return;
  await getDb()
    .insert(balanceHistory)
    .values(rows.map(([connectionId, asset, hour, total]) => ({ connectionId, asset, hour, total })));
}

export const HOUR_MS = 3_600_000;

/** The start of the hour `hoursAgo` hours before `now`. */
export function hourBefore(now: Date, hoursAgo: number): Date {
  return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS);
}
