import { beforeAll, describe, expect, it } from 'vitest';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { hourBefore, insertHoldings, insertPriceHistory, insertPrices } from '@/lib/testing/prices';
import { getAssetSources, getPortfolioValuation } from './portfolio-value';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const now = new Date('2026-12-04T12:30:00Z');
const minuteAgo = new Date(now.getTime() - 60_000);

/**
 * A user with Binance (USDT pairs, a BTC cross, a stablecoin) and Kraken (a USD pair, a fiat balance,
 * an asset only KuCoin prices, an asset nobody prices). Prices are stored the way the refresher stores
 * them; 24 h ago BTC was cheaper and everything else was the same.
 */
async function mixedPortfolio() {
  const userId = await createTestUser();
  const binance = await createTestConnection({ userId, exchangeId: 'binance', label: 'Binance main' });
  const kraken = await createTestConnection({ userId, exchangeId: 'kraken', label: 'Kraken' });
  await insertHoldings(userId, binance, [
    ['BTC', 'spot', '0.3'],
    ['BTC', 'funding', '0.2'],
    ['SOL', 'spot', '10.3'],
    ['USDT', 'funding', '1000.5'],
    ['XYZ', 'spot', '100'],
  ]);
  await insertHoldings(userId, kraken, [
    ['BTC', 'spot', '0.25'],
    ['EUR', 'spot', '200'],
    ['ABC', 'spot', '3'],
    ['NOPE', 'spot', '7'],
  ]);
  return { userId, binance, kraken };
}

beforeAll(async () => {
  await insertPrices([
    ['BTC', 'binance', '60000', 'BTC/USDT', minuteAgo],
    ['SOL', 'binance', '150.3', 'SOL/USDT', minuteAgo],
    ['XYZ', 'binance', '6', 'XYZ/BTC × BTC/USDT', minuteAgo],
    ['BTC', 'kraken', '60100', 'BTC/USD', minuteAgo],
    ['EUR', 'kraken', '1.25', 'EUR/USD', minuteAgo],
    ['ABC', 'kucoin', '2.5', 'ABC/USDT', minuteAgo],
  ]);
  const dayBefore = hourBefore(now, 24);
  await insertPriceHistory([
    ['BTC', 'binance', dayBefore, '50000'],
    ['SOL', 'binance', dayBefore, '150.3'],
    ['XYZ', 'binance', dayBefore, '6'],
    ['BTC', 'kraken', dayBefore, '50100'],
    ['EUR', 'kraken', dayBefore, '1.25'],
    ['ABC', 'kucoin', dayBefore, '2.5'],
  ]);
});

describe('getPortfolioValuation', () => {
  it('values a mixed portfolio exactly, one price per asset, unpriced assets out of the total', async () => {
    const { userId, binance, kraken } = await mixedPortfolio();
    const other = await createTestUser();
    const theirs = await createTestConnection({ userId: other, exchangeId: 'binance' });
    await insertHoldings(other, theirs, [['BTC', 'spot', '100']]);

    const valuation = await getPortfolioValuation(userId, 'USD', { now, withSources: true });

    // 0.75 × 60000 + 10.3 × 150.3 + 1000.5 + 100 × 6 + 200 × 1.25 + 3 × 2.5 (10.3 × 150.3 in floats is 1548.0900000000001).
    expect(valuation.total).toBe('48406.09');
    expect(valuation.currency).toBe('USD');
    expect(valuation.rate).toBeNull();
    expect(valuation.assets.map((a) => [a.asset, a.amount, a.price, a.value, a.pricedElsewhere])).toEqual([
      ['BTC', '0.75', '60000', '45000', false],
      ['SOL', '10.3', '150.3', '1548.09', false],
      ['USDT', '1000.5', '1', '1000.5', false],
      ['XYZ', '100', '6', '600', false],
      ['EUR', '200', '1.25', '250', false],
      ['ABC', '3', '2.5', '7.5', true],
      ['NOPE', '7', null, null, false],
    ]);
    const btc = valuation.assets[0]!;
    // Held mostly on Binance, so Binance's price, for the Kraken part too.
    expect(btc.quote).toEqual({
      usd: '60000',
      exchangeId: 'binance',
      pair: 'BTC/USDT',
      at: minuteAgo.toISOString(),
      stale: false,
    });
    expect(btc.share).toBe('0.929635093435557385');
    expect(btc.change24h).toBe('0.2');
    expect(btc.sources!.map((s) => [s.connectionLabel, s.wallet, s.amount, s.value])).toEqual([
      ['Binance main', 'funding', '0.2', '12000'],
      ['Binance main', 'spot', '0.3', '18000'],
      ['Kraken', 'spot', '0.25', '15000'],
    ]);
    expect(valuation.assets.find((a) => a.asset === 'XYZ')!.quote!.pair).toBe('XYZ/BTC × BTC/USDT');
    expect(valuation.assets.find((a) => a.asset === 'ABC')!.quote!.exchangeId).toBe('kucoin');
    const nope = valuation.assets.find((a) => a.asset === 'NOPE')!;
    expect([nope.share, nope.change24h, nope.quote, nope.sources![0]!.value]).toEqual([null, null, null, null]);
    expect(valuation.unpricedCount).toBe(1);
    expect(valuation.connections).toEqual([
      { connectionId: binance, label: 'Binance main', exchangeId: 'binance', value: '33148.59', unpricedAssets: 0 },
      { connectionId: kraken, label: 'Kraken', exchangeId: 'kraken', value: '15257.5', unpricedAssets: 1 },
    ]);
    // BTC gained 0.75 × 10000 over the day; everything else was flat.
    expect(valuation.change24h).toEqual({ value: '7500', fraction: '0.183346782838447771' });
    expect(valuation.pricesAt).toBe(minuteAgo.toISOString());
  });

  it('leaves sources out unless asked, naming the connections that hold each asset', async () => {
    const { userId, binance, kraken } = await mixedPortfolio();
    const valuation = await getPortfolioValuation(userId, 'USD', { now });
    expect(valuation.total).toBe('48406.09');
    const btc = valuation.assets[0]!;
    expect(btc.sources).toBeUndefined();
    expect(btc.connectionIds).toEqual([binance, kraken].sort());
    expect(valuation.assets.find((a) => a.asset === 'SOL')!.connectionIds).toEqual([binance]);
    // The per-connection sums (PostgreSQL numeric at the chosen prices) match the per-source ones above.
    expect(valuation.connections.map((c) => [c.label, c.value, c.unpricedAssets])).toEqual([
      ['Binance main', '33148.59', 0],
      ['Kraken', '15257.5', 1],
    ]);
  });

  it("lists one asset's sources at the asset's one price, in the display currency, and only the user's", async () => {
    const { userId } = await mixedPortfolio();
    const other = await createTestUser();
    await insertHoldings(other, await createTestConnection({ userId: other, exchangeId: 'kraken' }), [['BTC', 'spot', '9']]);
    const usd = await getAssetSources(userId, 'BTC', 'USD', { now });
    expect(usd.sources.map((s) => [s.connectionLabel, s.wallet, s.amount, s.value])).toEqual([
      ['Binance main', 'funding', '0.2', '12000'],
      ['Binance main', 'spot', '0.3', '18000'],
      ['Kraken', 'spot', '0.25', '15000'],
    ]);
    const eur = await getAssetSources(userId, 'BTC', 'EUR', { now });
    expect([eur.currency, eur.sources.map((s) => s.value)]).toEqual(['EUR', ['9600', '14400', '12000']]);
    expect((await getAssetSources(userId, 'NOPE', 'USD', { now })).sources.map((s) => s.value)).toEqual([null]);
    expect((await getAssetSources(userId, 'DOGE', 'USD', { now })).sources).toEqual([]);
  });

  it('converts to EUR with the exchange’s own EUR/USD rate, and names it', async () => {
    const { userId } = await mixedPortfolio();
    const valuation = await getPortfolioValuation(userId, 'EUR', { now });
    expect(valuation.currency).toBe('EUR');
    expect(valuation.rate).toEqual({ currency: 'EUR', perUsd: '0.8', source: 'kraken EUR/USD', at: minuteAgo.toISOString() });
    expect(valuation.total).toBe('38724.872');
    expect(valuation.assets.find((a) => a.asset === 'EUR')!.value).toBe('200');
    expect(valuation.assets[0]!.price).toBe('48000');
    expect(valuation.change24h!.value).toBe('6000');
  });

  it('stays in USD and says so when no exchange quotes the requested currency', async () => {
    const { userId } = await mixedPortfolio();
    const valuation = await getPortfolioValuation(userId, 'GBP', { now });
    expect([valuation.currency, valuation.requestedCurrency, valuation.rate, valuation.total]).toEqual([
      'USD',
      'GBP',
      null,
      '48406.09',
    ]);
  });

  it('marks prices older than 15 minutes stale and has no 24 h change without the day-before prices', async () => {
    const userId = await createTestUser();
    const kucoin = await createTestConnection({ userId, exchangeId: 'kucoin' });
    await insertHoldings(userId, kucoin, [['DOGE', 'trade', '1000']]);
    const sixteenMinutesAgo = new Date(now.getTime() - 16 * 60_000);
    await insertPrices([['DOGE', 'kucoin', '0.123', 'DOGE/USDT', sixteenMinutesAgo]]);
    const valuation = await getPortfolioValuation(userId, 'USD', { now });
    expect(valuation.assets[0]!.quote!.stale).toBe(true);
    expect(valuation.total).toBe('123');
    expect(valuation.change24h).toBeNull();
    expect(valuation.pricesAt).toBe(sixteenMinutesAgo.toISOString());
  });

  it('answers an empty valuation for a user with nothing', async () => {
    const valuation = await getPortfolioValuation(await createTestUser(), 'EUR', { now });
    expect(valuation).toMatchObject({ total: '0', assets: [], connections: [], unpricedCount: 0, pricesAt: null });
  });
});
