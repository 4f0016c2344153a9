// The counters behind every limit, and the per-exchange budget every outbound request draws from,
// against the real database (PGlite, or PostgreSQL with DATABASE_URL) and the exchange simulator. The
// clock is Date's, moved by vi.setSystemTime: a window ends without the test sleeping through it.
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb, type Database } from '@/db';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import * as schema from '@/db/schema';
import { rateLimits } from '@/db/schema';
import { fetchBalances } from '@/lib/exchanges/balances';
import { classifyExchangeError } from '@/lib/exchanges/errors';
import { enqueueRun } from '@/lib/sync/runs';
import { syncConnection } from '@/lib/sync/sync-connection';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { binanceAccount, connectionRow, runRow, withKeyringAndEventApi } from '@/lib/testing/fixtures';
import { withSimulator } from '@/lib/testing/simulator';
import { giveBack, take, type LimitPolicy } from './limiter';
import { exchangeBudget, policyFromEnv } from './policies';

const database = withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
withKeyringAndEventApi(() => {});

const policy: LimitPolicy = { name: 'test-limit', points: 5, windowSeconds: 60 };

// One fake clock for the whole file, only ever moved forward: moving it back would put requests
// signed now behind those the simulator and ccxt's clients have already seen.
beforeAll(() => vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true }));
afterAll(() => vi.useRealTimers());
afterEach(async () => {
  delete process.env.EXCHANGE_BUDGET_BINANCE;
  await getDb().delete(rateLimits);
});

const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

/**
 * A second client of the same database, as another process has: on PostgreSQL a pool of its own,
 * on PGlite (one process only) a second drizzle client over the same instance.
 */
function secondClient(): { db: Database; close: () => Promise<void> } {
  const handle: DatabaseHandle = database.handle();
  const url = database.url();
  if (url) {
    const own = openDatabase({ url });
    return { db: own.db, close: own.close };
  }
  if (handle.kind !== 'pglite') throw new Error('secondClient: a PostgreSQL handle without its URL');
  return { db: drizzlePglite(handle.client, { schema }) as unknown as Database, close: async () => {} };
}

describe('take', () => {
  it('refuses past the limit, says how long until the window ends, and lets through once it has', async () => {
    for (let i = 0; i < 5; i++) expect(await take(policy, 'alice')).toEqual({ ok: true });
    later(20);
    const refused = await take(policy, 'alice');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.retryAfterMs).toBeGreaterThan(39_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(40_000);
    // Another subject has its own count.
    expect(await take(policy, 'bob')).toEqual({ ok: true });

    later(40);
    expect(await take(policy, 'alice')).toEqual({ ok: true });
  });

  it('lets exactly the limit through when 20 take at once', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => take(policy, 'burst')));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(5);
  });

  it('is one count for every client of the database (the app server and Inngest invocations alike)', async () => {
    const other = secondClient();
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => take(policy, 'shared', 1, i % 2 === 0 ? getDb() : other.db)),
      );
      expect(answers.filter((answer) => answer.ok)).toHaveLength(5);
      expect((await take(policy, 'shared', 1, other.db)).ok).toBe(false);
      expect((await take(policy, 'shared')).ok).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('takes back unused points, never below zero', async () => {
    expect(await take(policy, 'reserve', 4)).toEqual({ ok: true });
    await giveBack(policy, 'reserve', 3);
    for (let i = 0; i < 4; i++) expect((await take(policy, 'reserve')).ok).toBe(true);
    expect((await take(policy, 'reserve')).ok).toBe(false);

    // A reservation from the last window handed back once a new one has started: the new window keeps its limit.
    later(61);
    expect((await take(policy, 'reserve')).ok).toBe(true);
    await giveBack(policy, 'reserve', 3);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await take(policy, 'reserve')).ok);
    expect(answers).toEqual([true, true, true, true, true, false]);
  });
});

describe('policyFromEnv', () => {
  it('reads N or N/seconds and keeps the default for anything else', () => {
    const read = (value: string | undefined) => policyFromEnv('p', 'LIMIT_X', [10, 600], { LIMIT_X: value });
    expect(read(undefined)).toEqual({ name: 'p', points: 10, windowSeconds: 600 });
    expect(read('3')).toEqual({ name: 'p', points: 3, windowSeconds: 600 });
    expect(read('100 / 60')).toEqual({ name: 'p', points: 100, windowSeconds: 60 });
    for (const bad of ['0', '-1', '1.5', 'ten', '5/0']) {
      expect(read(bad)).toEqual({ name: 'p', points: 10, windowSeconds: 600 });
    }
    expect(exchangeBudget('binance', { EXCHANGE_BUDGET_DEFAULT: '50/10' })).toMatchObject({
      points: 50,
      windowSeconds: 10,
    });
    expect(exchangeBudget('binance', { EXCHANGE_BUDGET_DEFAULT: '50/10', EXCHANGE_BUDGET_BINANCE: '7' })).toMatchObject(
      { points: 7, windowSeconds: 10 },
    );
    expect(exchangeBudget('kraken', {})).toMatchObject({ points: 600, windowSeconds: 60 });
  });
});

describe('the per-exchange budget', () => {
  it('lets no request past it: a balance read it has no room for fails as a rate limit with the wait', async () => {
    process.env.EXCHANGE_BUDGET_BINANCE = '3/60';
    const accounts = Array.from({ length: 4 }, () => binanceAccount(sim));
    sim.clearLog();
    const reads = await Promise.allSettled(
      accounts.map((account) => fetchBalances({ exchangeId: 'binance', credentials: account.credentials })),
    );
    expect(sim.log({ exchange: 'binance' }).length).toBeLessThanOrEqual(3);
    const refused = reads.find((read) => read.status === 'rejected');
    expect(refused).toBeDefined();
    const info = classifyExchangeError((refused as PromiseRejectedResult).reason);
    expect(info.kind).toBe('rate_limit');
    expect(info.userMessage).toMatch(/Try again in \d+ s\.$/);
    expect(info.retryAfterMs).toBeGreaterThan(0);
    expect(info.retryAfterMs).toBeLessThanOrEqual(60_000);

    // Once the window has passed, the same read goes out.
    later(61);
    process.env.EXCHANGE_BUDGET_BINANCE = '100/60';
    await expect(
      fetchBalances({ exchangeId: 'binance', credentials: accounts[0]!.credentials }),
    ).resolves.toBeDefined();
  });

  it('is shared by requests made through different clients of the database', async () => {
    process.env.EXCHANGE_BUDGET_BINANCE = '10/60';
    const other = secondClient();
    try {
      // Another process (another client) spent most of the budget.
      expect(await take(exchangeBudget('binance'), 'binance', 9, other.db)).toEqual({ ok: true });
      const account = binanceAccount(sim);
      sim.clearLog();
      await expect(fetchBalances({ exchangeId: 'binance', credentials: account.credentials })).rejects.toThrow(
        /requests to binance .* Try again in \d+ s\./,
      );
      expect(sim.log({ exchange: 'binance' }).length).toBeLessThanOrEqual(1);
    } finally {
      await other.close();
    }
  });

  it('sends nothing when the database cannot answer for the budget, and tells no query to the user', async () => {
    const account = binanceAccount(sim);
    sim.clearLog();
    await getDb().execute(sql`alter table rate_limits rename to rate_limits_away`);
    try {
      const read = fetchBalances({ exchangeId: 'binance', credentials: account.credentials });
      const error = await read.then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(sim.log({ exchange: 'binance' })).toEqual([]);
      const info = classifyExchangeError(error);
      expect(info.kind).toBe('transient');
      expect(info.userMessage).toMatch(/^Coinsphere could not check its request budget/);
      expect(info.userMessage).not.toMatch(/rate_limits|insert|query/i);
    } finally {
      await getDb().execute(sql`alter table rate_limits_away rename to rate_limits`);
    }
  });

  it('puts a sync it refuses in rate_limited until the window ends, with nothing applied', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const connectionId = await createTestConnection({ userId, credentials: account.credentials });
    const run = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    process.env.EXCHANGE_BUDGET_BINANCE = '1/60';
    expect(await take(exchangeBudget('binance'), 'binance', 1)).toEqual({ ok: true });

    const outcome = await syncConnection(connectionId, run.runId);
    expect(outcome).toMatchObject({ status: 'failed', kind: 'rate_limit', retriable: true });
    expect(account.requests()).toEqual([]);
    const connection = await connectionRow(connectionId);
    expect(connection?.status).toBe('rate_limited');
    const blockedFor = connection!.blockedUntil!.getTime() - Date.now();
    expect(blockedFor).toBeGreaterThan(50_000);
    expect(blockedFor).toBeLessThanOrEqual(60_000);
    expect((await runRow(run.runId))?.status).toBe('queued');

    // A new window, and room for the whole read.
    later(61);
    process.env.EXCHANGE_BUDGET_BINANCE = '100/60';
    expect(await syncConnection(connectionId, run.runId)).toMatchObject({ status: 'succeeded' });
    expect((await connectionRow(connectionId))?.status).toBe('active');
  });
});
