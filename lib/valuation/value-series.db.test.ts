import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { rowsOf } from '@/lib/sync/sql-rows';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { hourBefore, insertBalanceHistory, insertPriceHistory, insertPrices } from '@/lib/testing/prices';
import { getValueSeries } from './value-series';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const now = new Date('2026-12-04T12:30:00Z');
const h = (hoursAgo: number) => hourBefore(now, hoursAgo);
let userId: string;
let kraken: string;

/**
 * Binance: 1 BTC from 30 h ago, 10 ETH more 2 h ago, half the BTC sold this hour. Kraken: 0.25 BTC and
 * 4 ABC (priced only on KuCoin) from 1 h ago. BTC rose 50,000 → 55,000 → 58,000 → 60,000 on Binance.
 */
beforeAll(async () => {
  userId = await createTestUser();
  const binance = await createTestConnection({ userId, exchangeId: 'binance' });
  kraken = await createTestConnection({ userId, exchangeId: 'kraken' });
  await insertBalanceHistory([
    [binance, 'BTC', h(30), '1'],
    [binance, 'BTC', h(2), '1'],
    [binance, 'ETH', h(2), '10'],
    [binance, 'BTC', h(0), '0.5'],
    [binance, 'ETH', h(0), '10'],
    [kraken, 'BTC', h(1), '0.25'],
    [kraken, 'ABC', h(1), '4'],
  ]);
  await insertPriceHistory([
    ['BTC', 'binance', h(30), '50000'],
    ['BTC', 'binance', h(10), '55000'],
    ['BTC', 'binance', h(2), '58000'],
    ['BTC', 'binance', h(0), '60000'],
    ['ETH', 'binance', h(2), '3000'],
    ['BTC', 'kraken', h(1), '59000'],
    ['ABC', 'kucoin', h(1), '2.5'],
  ]);
  await insertPrices([['EUR', 'kraken', '1.25', 'EUR/USD', new Date(now.getTime() - 60_000)]]);
});

const point = (hoursAgo: number, value: string) => ({ at: h(hoursAgo).toISOString(), value });

describe('getValueSeries', () => {
  it('values every hour of the last 24 h at that hour’s prices', async () => {
    const series = await getValueSeries(userId, '24h', 'USD', { now });
    expect(series.currency).toBe('USD');
    expect(series.points).toEqual([
      ...[23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11].map((ago) => point(ago, '50000')),
      ...[10, 9, 8, 7, 6, 5, 4, 3].map((ago) => point(ago, '55000')),
      point(2, '88000'),
      // + Kraken: 0.25 × 59,000 + 4 ABC × 2.5 (KuCoin's price).
      point(1, '102760'),
      // Binance: 0.5 × 60,000 + 10 × 3,000 (ETH's latest price).
      point(0, '74760'),
    ]);
  });

  it('keeps the values of past points, never the current hour’s, and answers the same from them', async () => {
    const first = await getValueSeries(userId, '24h', 'USD', { now });
    const kept = await getDb().execute(sql`
      select at, trim_scale(sum(usd))::text as usd from connection_values
      where at between ${h(2).toISOString()}::timestamptz and ${h(0).toISOString()}::timestamptz
      group by at order by at desc`);
    // h(0) is still moving (syncs and prices of this hour), so it is computed every time.
    expect(rowsOf<{ at: string; usd: string }>(kept).map((row) => [new Date(row.at).toISOString(), row.usd])).toEqual([
      [h(1).toISOString(), '102760'],
      [h(2).toISOString(), '88000'],
    ]);
    expect(await getValueSeries(userId, '24h', 'USD', { now })).toEqual(first);
  });

  it('keeps the whole portfolio’s past totals per user, never the current hour’s', async () => {
    await getValueSeries(userId, '24h', 'USD', { now });
    const kept = await getDb().execute(sql`
      select at, trim_scale(usd)::text as usd from portfolio_values
      where user_id = ${userId}::uuid and at between ${h(2).toISOString()}::timestamptz and ${h(0).toISOString()}::timestamptz
      order by at desc`);
    expect(rowsOf<{ at: string; usd: string }>(kept).map((row) => [new Date(row.at).toISOString(), row.usd])).toEqual([
      [h(1).toISOString(), '102760'],
      [h(2).toISOString(), '88000'],
    ]);
  });

  it('reads the kept values of past points instead of computing them again', async () => {
    await getValueSeries(userId, '24h', 'USD', { now });
    // Markers only the kept values carry (+1 on the user's total, +2 on Kraken's part): computing from
    // history would still give 102760 and 14760, and from Kraken's kept part 102762.
    const mark = (by: number) =>
      getDb().transaction(async (tx) => {
        await tx.execute(sql`
          update portfolio_values set usd = usd + ${by}
          where user_id = ${userId}::uuid and at = ${h(1).toISOString()}::timestamptz`);
        await tx.execute(sql`
          update connection_values set usd = usd + ${2 * by}
          where connection_id = ${kraken}::uuid and at = ${h(1).toISOString()}::timestamptz`);
      });
    await mark(1);
    try {
      const series = await getValueSeries(userId, '24h', 'USD', { now });
      expect(series.points.slice(-3)).toEqual([point(2, '88000'), point(1, '102761'), point(0, '74760')]);
      const own = await getValueSeries(userId, '24h', 'USD', { now, connectionId: kraken });
      expect(own.points).toEqual([point(1, '14762'), point(0, '14760')]);
    } finally {
      await mark(-1); // the other cases read the same kept values
    }
  });

  it('keeps no total from the hour a connection was disconnected on, since what counts can still change', async () => {
    const user = await createTestUser();
    const kept = await createTestConnection({ userId: user, exchangeId: 'binance' });
    const removed = await createTestConnection({ userId: user, exchangeId: 'binance' });
    await insertBalanceHistory([
      [kept, 'BTC', h(5), '1'],
      [removed, 'BTC', h(5), '2'],
    ]);
    await getDb().execute(sql`update exchange_connections set disconnected_at = ${h(3).toISOString()}::timestamptz where id = ${removed}::uuid`);
    const series = await getValueSeries(user, '24h', 'USD', { now });
    // BTC at 55,000, then 58,000 from 2 h ago and 60,000 now; the removed connection (no holdings kept)
    // stops counting when it was disconnected, 3 h ago.
    expect(series.points.map((p) => p.value)).toEqual(['165000', '165000', '55000', '58000', '58000', '60000']);
    const totals = await getDb().execute(sql`select at from portfolio_values where user_id = ${user}::uuid order by at`);
    expect(rowsOf<{ at: string }>(totals).map((row) => new Date(row.at).toISOString())).toEqual([
      h(5).toISOString(),
      h(4).toISOString(),
    ]);
  });

  it('gives one connection’s series alone', async () => {
    const series = await getValueSeries(userId, '7d', 'USD', { now, connectionId: kraken });
    expect(series.points).toEqual([point(1, '14760'), point(0, '14760')]);
  });

  it('has a point a day for a year, each day at its last hour', async () => {
    const series = await getValueSeries(userId, '1y', 'USD', { now });
    expect(series.points).toEqual([
      { at: '2026-12-03T00:00:00.000Z', value: '50000' },
      { at: '2026-12-04T00:00:00.000Z', value: '74760' },
    ]);
  });

  it('starts "all" at the first recorded hour, hourly while that is under 30 days', async () => {
    const series = await getValueSeries(userId, 'all', 'USD', { now });
    expect(series.points).toHaveLength(31);
    expect(series.points[0]).toEqual(point(30, '50000'));
    const later = await getValueSeries(userId, 'all', 'USD', { now: new Date(now.getTime() + 40 * 86_400_000) });
    expect(later.points[0]).toEqual({ at: '2026-12-03T00:00:00.000Z', value: '50000' });
    expect(later.points).toHaveLength(42);
  });

  it('converts to EUR, and covers every range for the 30 d one', async () => {
    const eur = await getValueSeries(userId, '30d', 'EUR', { now });
    expect(eur.currency).toBe('EUR');
    expect(eur.points.at(-1)).toEqual(point(0, '59808'));
    expect(eur.points).toHaveLength(31);
    const gbp = await getValueSeries(userId, '24h', 'GBP', { now });
    expect(gbp.currency).toBe('USD');
  });

  it('shows nothing of another user', async () => {
    const other = await createTestUser();
    expect((await getValueSeries(other, '24h', 'USD', { now })).points).toEqual([]);
    expect((await getValueSeries(other, 'all', 'USD', { now })).points).toEqual([]);
    expect((await getValueSeries(other, '24h', 'USD', { now, connectionId: kraken })).points).toEqual([]);
  });
});
