import 'server-only';
import type { Exchange, Ticker } from 'ccxt';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { withPublicExchangeClient } from '@/lib/exchanges/client';
import { logger } from '@/lib/log';
import { rowsOf } from '@/lib/sync/sql-rows';
import { BALANCE_SUFFIX_PATTERN, CONVERSION_CURRENCIES } from './assets';
import { shouldRefreshInline } from './inline';
import { candidateSymbols, priceAssets, type RejectedPrice } from './pricing';
import { storePrices } from './store';

/**
 * Past this many markets one restricted request gets long (Binance puts the list in the URL and
 * weighs it by count): the exchange's whole ticker list is read instead, still one request.
 */
export const MAX_LISTED_SYMBOLS = 100;

/** What one exchange's refresh did, for the Inngest run's output and the logs: counts and reasons, no amounts. */
export interface PriceRefreshResult {
  exchangeId: string;
  ok: boolean;
  /** Markets asked for. */
  markets: number;
  stored: number;
  rejected: RejectedPrice[];
  /** Why nothing was stored (the last good prices stay). */
  error?: string;
}

/** Exchanges with at least one connection that still syncs: the ones whose prices are refreshed. */
export async function exchangesToRefresh(db: Database = getDb()): Promise<string[]> {
  const result = await db.execute(sql`
    select distinct exchange_id from exchange_connections
    where disconnected_at is null and status <> 'disabled'
    order by exchange_id
  `);
  return rowsOf<{ exchange_id: string }>(result).map((row) => row.exchange_id);
}

/**
 * Every asset anyone holds (under the code it is priced by) and the display currencies: each
 * exchange prices all it can, so an asset its own exchange cannot price is priced by another.
 */
export async function assetsToPrice(db: Database = getDb()): Promise<string[]> {
  const result = await db.execute(sql`
    select distinct regexp_replace(asset, ${BALANCE_SUFFIX_PATTERN}, '') as asset from holdings
  `);
  return [...new Set([...rowsOf<{ asset: string }>(result).map((row) => row.asset), ...CONVERSION_CURRENCIES])];
}

/** The spot markets among `symbols` this exchange lists. */
function listedSymbols(client: Exchange, symbols: string[]): string[] {
  const markets = client.markets ?? {};
  return symbols.filter((symbol) => {
    const market = markets[symbol];
    return market !== undefined && market.spot !== false && market.active !== false;
  });
}

function lastPrices(tickers: Record<string, Ticker>, wanted: ReadonlySet<string>): Record<string, unknown> {
  const prices: Record<string, unknown> = {};
  for (const [symbol, ticker] of Object.entries(tickers ?? {})) {
    if (!wanted.has(symbol) || !ticker || typeof ticker !== 'object') continue;
    // ccxt parses prices into numbers; String() of a number gives back the shortest decimal that
    // round-trips, which is the exchange's own string for any price of up to 15 significant digits.
    prices[symbol] = ticker.last ?? ticker.close;
  }
  return prices;
}

/**
 * Refreshes one exchange's prices: one ticker request for the markets that price what anyone holds,
 * through the exchange's pooled client and installation-wide budget. A failed, timed-out,
 * rate-limited or empty answer stores nothing and says why; bad prices are left out one by one.
 */
export async function refreshExchangePrices(
  exchangeId: string,
  options: { db?: Database; now?: () => Date } = {},
): Promise<PriceRefreshResult> {
  const db = options.db ?? getDb();
  const assets = await assetsToPrice(db);
  let markets = 0;
  try {
    const fetched = await withPublicExchangeClient(exchangeId, { purpose: 'prices' }, async (client) => {
      const symbols = listedSymbols(client, candidateSymbols(assets));
      markets = symbols.length;
      if (symbols.length === 0) return null;
      const tickers = symbols.length > MAX_LISTED_SYMBOLS ? await client.fetchTickers() : await client.fetchTickers(symbols);
      return lastPrices(tickers, new Set(symbols));
    });
    if (fetched === null) return { exchangeId, ok: true, markets, stored: 0, rejected: [] };
    if (Object.keys(fetched).length === 0) {
      return { exchangeId, ok: false, markets, stored: 0, rejected: [], error: 'The ticker answer had no prices' };
    }
    const { priced, rejected } = priceAssets(fetched, assets);
    const now = options.now?.() ?? new Date();
    const stored = await storePrices(exchangeId, priced, now, db);
    const result = { exchangeId, ok: true, markets, stored: stored.stored, rejected: [...rejected, ...stored.rejected] };
    if (result.rejected.length > 0) logger.warn({ exchange: exchangeId, rejected: result.rejected }, 'prices not stored');
    return result;
  } catch (error) {
    const name = error instanceof Error ? error.constructor.name : 'Error';
    logger.warn({ err: error, exchange: exchangeId }, 'ticker request failed; the last prices stay');
    return { exchangeId, ok: false, markets, stored: 0, rejected: [], error: `Ticker request failed (${name})` };
  }
}

/** Refreshes already running in this process, so two page loads do not fetch the same tickers twice. */
const running = new Map<string, Promise<PriceRefreshResult>>();

function refreshOnce(exchangeId: string): Promise<PriceRefreshResult> {
  let refresh = running.get(exchangeId);
  if (!refresh) {
    refresh = refreshExchangePrices(exchangeId).finally(() => running.delete(exchangeId));
    running.set(exchangeId, refresh);
  }
  return refresh;
}

/** Prices older than this are refreshed inline when the portfolio is opened without Inngest. */
export const INLINE_REFRESH_AFTER_MS = 60_000;

/**
 * For development without the Inngest dev server (no cron runs): refreshes, one exchange after the
 * other, the prices of the user's exchanges whose newest price is over a minute old. A no-op when
 * jobs run in Inngest, whose `refresh-prices` cron keeps prices fresh.
 */
export async function refreshPricesInlineIfStale(userId: string, db: Database = getDb()): Promise<void> {
  if (!(await shouldRefreshInline())) return;
  const result = await db.execute(sql`
    select c.exchange_id
    from (select distinct exchange_id from exchange_connections
          where user_id = ${userId}::uuid and disconnected_at is null) c
    where not exists (
      select 1 from asset_prices p
      where p.exchange_id = c.exchange_id and p.priced_at > now() - make_interval(secs => ${INLINE_REFRESH_AFTER_MS / 1000})
    )
    order by c.exchange_id
  `);
  for (const { exchange_id: exchangeId } of rowsOf<{ exchange_id: string }>(result)) await refreshOnce(exchangeId);
}

/**
 * For an inline sync (development without Inngest): refreshes the exchange's prices in the
 * background, so the sync never waits for them. Never throws.
 */
export function refreshPricesAfterInlineSync(exchangeId: string): void {
  void shouldRefreshInline()
    .then((inline) => (inline ? refreshOnce(exchangeId) : undefined))
    .catch((error: unknown) => logger.warn({ err: error, exchange: exchangeId }, 'inline price refresh failed'));
}
