import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { insertActivity, insertActivitySeries } from '@/lib/testing/activity-factory';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { insertPriceHistory, insertPrices } from '@/lib/testing/prices';
import { rowsOf } from '@/lib/sync/sql-rows';
import { setDisplayCurrency } from '@/lib/valuation/display-currency';
import { encodeActivityCursor } from './activity-cursor';
import { activityPageQuery, priceExchanges, queryActivity, type ActivityPage } from './activity-query';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const at = (iso: string) => new Date(iso);

async function page(userId: string, params: Record<string, string> = {}, options = {}): Promise<ActivityPage> {
  const result = await queryActivity(userId, params, options);
  if (!result.ok) throw new Error(`unexpected input errors: ${JSON.stringify(result.errors)}`);
  return result.page;
}

const ids = (p: ActivityPage) => p.entries.map((entry) => entry.externalId);

/** Two connections of one user, a handful of entries of every shape; another user with one of their own. */
async function seedUser() {
  const userId = await createTestUser();
  const kraken = await createTestConnection({ userId, exchangeId: 'kraken', label: 'Kraken main' });
  const binance = await createTestConnection({ userId, exchangeId: 'binance', label: 'Binance' });
  await insertActivity(userId, kraken, [
    { externalId: 'k-deposit', kind: 'deposit', occurredAt: at('2026-03-01T08:00:00Z'), asset: 'USD', amount: '10000' },
    {
      externalId: 'k-buy',
      kind: 'trade',
      occurredAt: at('2026-03-02T10:30:00Z'),
      asset: 'BTC',
      amount: '0.1',
      counterAsset: 'USD',
      counterAmount: '-6000',
      price: '60000',
      feeAsset: 'USD',
      feeAmount: '9.6',
    },
    { externalId: 'k-reward', kind: 'reward', occurredAt: at('2026-03-03T23:30:00Z'), asset: 'DOT', amount: '0.25' },
  ]);
  await insertActivity(userId, binance, [
    {
      externalId: 'b-withdrawal',
      kind: 'withdrawal',
      occurredAt: at('2026-03-04T00:30:00Z'),
      asset: 'ETH',
      amount: '-1.5',
      feeAsset: 'ETH',
      feeAmount: '0.001',
      txHash: '0xabc',
    },
    {
      externalId: 'b-sell',
      kind: 'trade',
      occurredAt: at('2026-03-05T12:00:00Z'),
      asset: 'ETH',
      amount: '-0.5',
      counterAsset: 'USDT',
      counterAmount: '1500',
      price: '3000',
      feeAsset: 'BNB',
      feeAmount: '0.002',
    },
  ]);
  return { userId, kraken, binance };
}

describe('queryActivity', () => {
  it('answers the user’s entries across connections, newest first, each filter narrowing them', async () => {
    const { userId, kraken, binance } = await seedUser();
    expect(ids(await page(userId))).toEqual(['b-sell', 'b-withdrawal', 'k-reward', 'k-buy', 'k-deposit']);
    expect(ids(await page(userId, { connection: kraken }))).toEqual(['k-reward', 'k-buy', 'k-deposit']);
    expect(ids(await page(userId, { connection: binance }))).toEqual(['b-sell', 'b-withdrawal']);
    expect(ids(await page(userId, { kind: 'trade' }))).toEqual(['b-sell', 'k-buy']);
    expect(ids(await page(userId, { kind: 'reward' }))).toEqual(['k-reward']);
    // An asset matches as the entry's asset, its trade's other side, or its fee; in any case.
    expect(ids(await page(userId, { asset: 'ETH' }))).toEqual(['b-sell', 'b-withdrawal']);
    expect(ids(await page(userId, { asset: 'usd' }))).toEqual(['k-buy', 'k-deposit']);
    expect(ids(await page(userId, { asset: 'BNB' }))).toEqual(['b-sell']);
    expect(ids(await page(userId, { asset: 'USDT', connection: kraken }))).toEqual([]);
    // From and To are whole days, both inclusive, in UTC without a time zone ...
    expect(ids(await page(userId, { from: '2026-03-02', to: '2026-03-03' }))).toEqual(['k-reward', 'k-buy']);
    expect(ids(await page(userId, { from: '2026-03-05' }))).toEqual(['b-sell']);
    expect(ids(await page(userId, { to: '2026-03-01' }))).toEqual(['k-deposit']);
    // ... and the reader's days with one: 2026-03-04 00:30 UTC is still the 3rd in New York, 23:30 UTC the 4th in Berlin.
    expect(ids(await page(userId, { from: '2026-03-03', to: '2026-03-03' }, { timeZone: 'America/New_York' }))).toEqual(
      ['b-withdrawal', 'k-reward'],
    );
    expect(ids(await page(userId, { from: '2026-03-04', to: '2026-03-04' }, { timeZone: 'Europe/Berlin' }))).toEqual([
      'b-withdrawal',
      'k-reward',
    ]);
    expect(ids(await page(userId, { kind: 'trade', asset: 'BTC', from: '2026-03-02', to: '2026-03-02' }))).toEqual([
      'k-buy',
    ]);
    const [sell] = (await page(userId, { kind: 'trade', asset: 'ETH' })).entries;
    expect(sell).toMatchObject({
      kind: 'trade',
      asset: 'ETH',
      amount: '-0.5',
      counterAsset: 'USDT',
      counterAmount: '1500',
      price: '3000',
      feeAsset: 'BNB',
      feeAmount: '0.002',
      status: 'ok',
      connectionLabel: 'Binance',
      exchangeName: 'Binance',
      occurredAt: '2026-03-05T12:00:00.000Z',
    });
  });

  it('shows another user none of it, even asked for the owner’s connection', async () => {
    const { kraken } = await seedUser();
    const otherId = await createTestUser();
    expect((await page(otherId)).entries).toEqual([]);
    expect((await page(otherId, { connection: kraken })).entries).toEqual([]);
  });

  it('answers bad input with a message naming the field, and queries nothing', async () => {
    const userId = await createTestUser();
    const errors = async (params: Record<string, string | string[]>) => {
      const result = await queryActivity(userId, params);
      expect(result.ok).toBe(false);
      return result.ok ? {} : result.errors;
    };
    expect(await errors({ connection: 'not-a-uuid' })).toEqual({ connection: expect.stringMatching(/^Connection /) });
    expect(await errors({ asset: '=HYPERLINK("x")' })).toEqual({ asset: expect.stringMatching(/^Asset /) });
    expect(await errors({ asset: ['BTC', 'ETH'] })).toEqual({ asset: 'Asset must be given once.' });
    expect(await errors({ kind: 'gift' })).toEqual({ kind: expect.stringMatching(/^Kind must be one of trade, /) });
    expect(await errors({ from: '2026-02-30' })).toEqual({ from: expect.stringMatching(/^From must be a date/) });
    expect(await errors({ to: 'yesterday' })).toEqual({ to: expect.stringMatching(/^To must be a date/) });
    expect(await errors({ from: '2026-03-05', to: '2026-03-01' })).toEqual({ from: 'From must be on or before To.' });
    expect(await errors({ cursor: 'garbage!' })).toEqual({ cursor: expect.stringMatching(/out of date or damaged/) });
    const forged = encodeActivityCursor({ direction: 'older', occurredAt: "2026'); drop table users; --", id: 'x' });
    expect(await errors({ cursor: forged })).toEqual({ cursor: expect.any(String) });
    // Empty values are "no filter", as a form with blank fields sends them.
    expect((await queryActivity(userId, { asset: '', kind: '', from: ' ' })).ok).toBe(true);
  });

  it('pages through every row exactly once in order, older and back newer, ties on the instant broken by id', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, exchangeId: 'binance' });
    await insertActivitySeries(getDb(), { userId, connectionId, count: 237, newest: at('2026-03-10T00:00:00Z') });
    const expected = rowsOf<{ id: string }>(
      await getDb().execute(
        sql`select id from activity_entries where user_id = ${userId}::uuid order by occurred_at desc, id desc`,
      ),
    ).map((row) => row.id);
    expect(expected).toHaveLength(237);

    const pages: ActivityPage[] = [await page(userId, {}, { limit: 50 })];
    expect(pages[0]!.newerCursor).toBeNull();
    while (pages.at(-1)!.olderCursor)
      pages.push(await page(userId, { cursor: pages.at(-1)!.olderCursor! }, { limit: 50 }));
    expect(pages.map((p) => p.entries.length)).toEqual([50, 50, 50, 50, 37]);
    expect(pages.flatMap((p) => p.entries.map((entry) => entry.id))).toEqual(expected);

    // Newer from the last page walks the same pages back, and the top one is the first page again.
    let current = pages.at(-1)!;
    for (let index = pages.length - 2; index >= 0; index--) {
      current = await page(userId, { cursor: current.newerCursor! }, { limit: 50 });
      expect(current.entries.map((entry) => entry.id)).toEqual(pages[index]!.entries.map((entry) => entry.id));
    }
    expect(current.newerCursor).toBeNull();

    // Filters hold across pages: every deposit (every tenth row), once.
    const deposits: string[] = [];
    let cursor: string | null | undefined;
    do {
      const next: ActivityPage = await page(userId, { kind: 'deposit', ...(cursor ? { cursor } : {}) }, { limit: 7 });
      deposits.push(...next.entries.map((entry) => entry.kind));
      cursor = next.olderCursor;
    } while (cursor);
    expect(deposits).toEqual(Array(23).fill('deposit'));
  });

  it('values each entry at its hour’s price: the entry’s own exchange first, else any; no price, no value', async () => {
    const userId = await createTestUser();
    const kraken = await createTestConnection({ userId, exchangeId: 'kraken' });
    const hour = at('2026-03-02T10:00:00Z');
    await insertActivity(userId, kraken, [
      {
        externalId: 'own',
        occurredAt: at('2026-03-02T10:59:59Z'),
        asset: 'BTC',
        amount: '0.1',
        counterAsset: 'USD',
        counterAmount: '-6000',
      },
      { externalId: 'elsewhere', kind: 'deposit', occurredAt: at('2026-03-02T10:15:00Z'), asset: 'SOL', amount: '3' },
      { externalId: 'unpriced', kind: 'deposit', occurredAt: at('2026-03-02T11:00:00Z'), asset: 'BTC', amount: '1' },
      {
        externalId: 'pegged',
        kind: 'withdrawal',
        occurredAt: at('2026-03-02T09:00:00Z'),
        asset: 'USDT',
        amount: '-25.5',
      },
      {
        externalId: 'counter',
        occurredAt: at('2026-03-02T10:01:00Z'),
        asset: 'NOPE',
        amount: '-1000',
        counterAsset: 'USDT',
        counterAmount: '12.34',
      },
      { externalId: 'staked', kind: 'reward', occurredAt: at('2026-03-02T10:02:00Z'), asset: 'BTC.S', amount: '0.001' },
    ]);
    await insertPrices([['SOL', 'binance', '151', 'SOL/USDT', hour]]);
    await insertPriceHistory([
      ['BTC', 'kraken', hour, '60000.5'],
      ['BTC', 'binance', hour, '59000'],
      ['SOL', 'binance', hour, '150.25'],
    ]);
    const values = Object.fromEntries((await page(userId)).entries.map((entry) => [entry.externalId, entry.value]));
    expect(values).toEqual({
      unpriced: null,
      own: '6000.05',
      staked: '60.0005',
      counter: '12.34',
      elsewhere: '450.75',
      pegged: '25.5',
    });

    // In EUR, at the rate of the entry's hour; without one that hour, at today's.
    await setDisplayCurrency(userId, 'EUR');
    await insertPrices([['EUR', 'kraken', '1.1', 'EUR/USD', new Date()]]);
    await insertPriceHistory([['EUR', 'kraken', hour, '1.25']]);
    const eur = await page(userId);
    expect(eur.currency).toBe('EUR');
    const inEur = Object.fromEntries(eur.entries.map((entry) => [entry.externalId, entry.value]));
    expect(inEur.own).toBe('4800.04'); // 6000.05 / 1.25
    expect(inEur.pegged).toBe('23.181818181818181818'); // 25.5 / 1.1, the 09:00 hour has no rate
  });

  it('seeks activity_entries_user_time_idx for the first page and a deep one', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, exchangeId: 'binance' });
    await insertActivitySeries(getDb(), { userId, connectionId, count: 5_000, newest: at('2026-03-10T00:00:00Z') });
    const otherId = await createTestUser();
    const otherConnection = await createTestConnection({ userId: otherId, exchangeId: 'binance' });
    await insertActivitySeries(getDb(), {
      userId: otherId,
      connectionId: otherConnection,
      count: 5_000,
      newest: at('2026-03-10T00:00:00Z'),
    });
    await getDb().execute(sql`analyze activity_entries`);
    const exchanges = await priceExchanges(userId, getDb());
    for (const cursor of [
      null,
      {
        direction: 'older' as const,
        occurredAt: '2026-03-08T00:00:00.000000Z',
        id: '00000000-0000-4000-8000-000000000000',
      },
    ]) {
      const query = activityPageQuery({
        userId,
        filters: {},
        cursor,
        limit: 50,
        currency: 'USD',
        exchanges,
        timeZone: null,
      });
      const plan = JSON.stringify(rowsOf(await getDb().execute(sql`explain (format json) ${query}`)));
      expect(plan).toContain('activity_entries_user_time_idx');
      expect(plan).not.toMatch(
        /"Seq Scan","Parallel Aware":(true|false),"Async Capable":(true|false),"Relation Name":"activity_entries"/,
      );
    }
  });
});
