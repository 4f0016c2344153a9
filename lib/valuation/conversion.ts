import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { divide } from '@/lib/prices/decimal';
import { rowsOf, textArrayLiteral } from '@/lib/sync/sql-rows';
import type { ConversionRate, DisplayCurrency } from './types';

/** Exchanges whose fiat pairs are preferred for conversion: they quote fiat against USD directly. */
const RATE_SOURCES = ['kraken', 'coinbase'];

/**
 * How to show USD values in `currency`: the freshest USD price of the currency any exchange quoted
 * (its fiat pair, e.g. Kraken's EUR/USD), Kraken and Coinbase first when equally fresh. Null for USD
 * and when no exchange quotes the currency: values then stay in USD.
 */
export async function conversionRate(
  currency: DisplayCurrency,
  db: Database = getDb(),
): Promise<{ rate: ConversionRate; usd: string } | null> {
  if (currency === 'USD') return null;
  const result = await db.execute(sql`
    select exchange_id, usd::text as usd, pair, priced_at
    from asset_prices
    where asset = ${currency}
    order by date_trunc('minute', priced_at) desc,
      array_position(${textArrayLiteral(RATE_SOURCES)}::text[], exchange_id) nulls last,
      exchange_id
    limit 1
  `);
  const [row] = rowsOf<{ exchange_id: string; usd: string; pair: string; priced_at: string | Date }>(result);
  if (!row) return null;
  return {
    usd: row.usd,
    rate: {
      currency,
      perUsd: divide('1', row.usd),
      source: `${row.exchange_id} ${row.pair}`,
      at: new Date(row.priced_at).toISOString(),
    },
  };
}
