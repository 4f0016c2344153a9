import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { getDb } from '@/db';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { insertHoldings } from '@/lib/testing/prices';
import { withSimulator } from '@/lib/testing/simulator';
import { rowsOf } from '@/lib/sync/sql-rows';
import { getPortfolioValuation } from '@/lib/valuation/portfolio-value';
import { refreshExchangePrices } from './refresh';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
let simulator: ExchangeSimulator;
withSimulator((started) => (simulator = started));

const TICKERS = {
  binance: { 'BTC/USDT': '60000', 'SOL/USDT': '150.3', 'XYZ/BTC': '0.0001', 'ETH/USDT': '3000' },
  kraken: { 'BTC/USD': '60100', 'EUR/USD': '1.25', 'GBP/USD': '1.3', 'USD/CHF': '0.8', 'USD/JPY': '160' },
  kucoin: { 'ABC/USDT': '2.5', 'BTC/USDT': '60010' },
  coinbase: { 'BTC/USD': '60050', 'EUR/USD': '1.24' },
} as const;

/** The path of each exchange's bulk ticker endpoint, as ccxt's fetchTickers calls it. */
const TICKER_PATHS = {
  binance: '/api/v3/ticker/24hr',
  kraken: '/0/public/Ticker',
  kucoin: '/api/v1/market/allTickers',
  coinbase: '/api/v3/brokerage/market/products',
} as const;

const EXCHANGES = ['binance', 'coinbase', 'kraken', 'kucoin'] as const;

async function storedPrices(exchangeId: string) {
  const result = await getDb().execute(sql`
    select asset, usd::text as usd, pair from asset_prices where exchange_id = ${exchangeId} order by asset
  `);
  return rowsOf<{ asset: string; usd: string; pair: string }>(result).map((r) => [r.asset, r.usd, r.pair]);
}

let userId: string;
beforeAll(async () => {
  for (const exchange of EXCHANGES) simulator.setTickers(exchange, TICKERS[exchange]);
  userId = await createTestUser();
  const binance = await createTestConnection({ userId, exchangeId: 'binance', label: 'Binance' });
  const kraken = await createTestConnection({ userId, exchangeId: 'kraken', label: 'Kraken' });
  await insertHoldings(userId, binance, [
    ['BTC', 'spot', '0.5'],
    ['SOL', 'spot', '10.3'],
    ['XYZ', 'spot', '100'],
    ['USDT', 'spot', '1000.5'],
  ]);
  await insertHoldings(userId, kraken, [
    ['BTC', 'spot', '0.25'],
    ['EUR', 'spot', '200'],
    ['ABC', 'spot', '3'],
    ['NOPE', 'spot', '7'],
  ]);
});

afterEach(() => {
  for (const exchange of EXCHANGES) simulator.setTickers(exchange, TICKERS[exchange]);
});

describe('refreshExchangePrices', () => {
  beforeEach(async () => {
    await getDb().execute(sql`delete from asset_prices`);
    await getDb().execute(sql`delete from price_history`);
  });

  it('prices what anyone holds from each exchange’s tickers: USD, USDT, BTC cross and fiat pairs', async () => {
    for (const exchange of EXCHANGES) {
      expect(await refreshExchangePrices(exchange)).toMatchObject({ exchangeId: exchange, ok: true, rejected: [] });
    }
    expect(await storedPrices('binance')).toEqual([
      ['BTC', '60000', 'BTC/USDT'],
      ['SOL', '150.3', 'SOL/USDT'],
      ['XYZ', '6', 'XYZ/BTC × BTC/USDT'],
    ]);
    expect(await storedPrices('kraken')).toEqual([
      ['BTC', '60100', 'BTC/USD'],
      ['CHF', '1.25', 'USD/CHF'],
      ['EUR', '1.25', 'EUR/USD'],
      ['GBP', '1.3', 'GBP/USD'],
      ['JPY', '0.00625', 'USD/JPY'],
    ]);
    expect(await storedPrices('kucoin')).toEqual([
      ['ABC', '2.5', 'ABC/USDT'],
      ['BTC', '60010', 'BTC/USDT'],
    ]);
    expect(await storedPrices('coinbase')).toEqual([
      ['BTC', '60050', 'BTC/USD'],
      ['EUR', '1.24', 'EUR/USD'],
    ]);
    const history = await getDb().execute(sql`select count(*)::int as n from price_history`);
    expect(rowsOf<{ n: number }>(history)[0]!.n).toBe(12);

    // What the refresher stored values the portfolio: ABC only on KuCoin, NOPE nowhere, EUR via Kraken.
    const valuation = await getPortfolioValuation(userId, 'EUR');
    expect(valuation.assets.map((a) => [a.asset, a.value, a.pricedElsewhere])).toEqual([
      ['BTC', '36000', false],
      ['SOL', '1238.472', false],
      ['USDT', '800.4', false],
      ['XYZ', '480', false],
      ['EUR', '200', false],
      ['ABC', '6', true],
      ['NOPE', null, false],
    ]);
    expect(valuation.rate?.source).toBe('kraken EUR/USD');
  });

  it('sends one ticker request per exchange, restricted to the markets needed', async () => {
    for (const exchange of EXCHANGES) await refreshExchangePrices(exchange); // markets load once per process
    simulator.clearLog();
    for (const exchange of EXCHANGES) await refreshExchangePrices(exchange);
    const log = simulator.log();
    expect(log.map((entry) => [entry.exchange, entry.path])).toEqual(
      EXCHANGES.map((exchange) => [exchange, TICKER_PATHS[exchange]]),
    );
    const binance = JSON.parse(new URLSearchParams(log[0]!.query).get('symbols')!) as string[];
    // Never the whole list: the markets of what is held and the fiat pairs, and not ETH nobody holds.
    expect(binance).toEqual(expect.arrayContaining(['BTCUSDT', 'SOLUSDT', 'XYZBTC']));
    expect(binance).not.toContain('ETHUSDT');
    expect(new URLSearchParams(log[2]!.query).get('pair')!.split(',').length).toBeGreaterThan(1);
  });

  it.each([
    ['rate limited', { kind: 'rate_limit' as const }],
    ['failing', { kind: 'server_error' as const }],
    ['answering HTML', { kind: 'html' as const }],
    ['answering truncated JSON', { kind: 'truncated' as const }],
  ])('keeps the last good prices when the ticker request is %s, and says why', async (_, fault) => {
    await refreshExchangePrices('binance');
    simulator.setTickers('binance', { ...TICKERS.binance, 'BTC/USDT': '61000' });
    simulator.addPublicFault('binance', { ...fault, pathIncludes: '/ticker/' });
    const result = await refreshExchangePrices('binance');
    expect(result).toMatchObject({ ok: false, stored: 0 });
    expect(result.error).toMatch(/^(Ticker request failed \(\w+\)|The ticker answer had no prices)$/);
    expect((await storedPrices('binance'))[0]).toEqual(['BTC', '60000', 'BTC/USDT']);
  });

  it('keeps the last good prices when the ticker request times out', async () => {
    await refreshExchangePrices('binance');
    process.env.EXCHANGE_TIMEOUT_MS = '300';
    try {
      simulator.addPublicFault('binance', { kind: 'delay', delayMs: 1_000, pathIncludes: '/ticker/' });
      const result = await refreshExchangePrices('binance');
      expect(result).toMatchObject({ ok: false, error: 'Ticker request failed (RequestTimeout)' });
    } finally {
      delete process.env.EXCHANGE_TIMEOUT_MS;
    }
    expect((await storedPrices('binance'))[0]).toEqual(['BTC', '60000', 'BTC/USDT']);
  });

  it('stores nothing from an answer with a non-numeric price', async () => {
    await refreshExchangePrices('binance');
    simulator.setTickers('binance', { ...TICKERS.binance, 'BTC/USDT': '61000', 'XYZ/BTC': 'abc' });
    expect(await refreshExchangePrices('binance')).toMatchObject({ ok: false, stored: 0 });
    expect((await storedPrices('binance'))[0]).toEqual(['BTC', '60000', 'BTC/USDT']);
  });

  it('stores no zero, negative or spiking price, says why, and stores the rest', async () => {
    await refreshExchangePrices('binance');
    simulator.setTickers('binance', { 'BTC/USDT': '130000', 'SOL/USDT': '0', 'XYZ/BTC': '-0.0001' });
    const result = await refreshExchangePrices('binance');
    expect(result.ok).toBe(true);
    expect([...result.rejected].sort((a, b) => a.asset.localeCompare(b.asset))).toEqual([
      { asset: 'BTC', reason: 'BTC/USDT moved 116.7% from 60000 to 130000 within a minute' },
      // ccxt reads a last price of 0 as none.
      { asset: 'SOL', reason: 'SOL/USDT has no last price' },
      { asset: 'XYZ', reason: 'XYZ/BTC price is -0.0001, not above 0' },
    ]);
    expect(await storedPrices('binance')).toEqual([
      ['BTC', '60000', 'BTC/USDT'],
      ['SOL', '150.3', 'SOL/USDT'],
      ['XYZ', '6', 'XYZ/BTC × BTC/USDT'],
    ]);
    // A minute and a half later the move is a market's, not a glitch.
    const later = await refreshExchangePrices('binance', { now: () => new Date(Date.now() + 91_000) });
    expect(later.stored).toBe(1);
    expect((await storedPrices('binance'))[0]).toEqual(['BTC', '130000', 'BTC/USDT']);
  });
});
