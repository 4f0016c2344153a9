import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { balanceHistory, holdings, syncRuns } from '@/db/schema';
import { syncNow } from '@/lib/connections/sync-now';
import { enqueueRun } from '@/lib/sync/runs';
import { sendSyncRuns } from '@/lib/sync/send-runs';
import { withTestDatabase } from '@/lib/testing/database';
import { addSimAccount, SIMULATED_EXCHANGES } from '@/lib/testing/exchange-accounts';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimExchangeId } from '@/lib/testing/exchange-simulator/types';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';

// Issue 12, load: many syncs at once through the real chain (the test executor running up to 16 runs in
// parallel against the real /api/inngest route, ccxt over HTTP to the simulator, the database — real
// concurrent connections on PostgreSQL). One run per connection at a time, the same holdings as syncing
// one connection after another, and every run finished (no deadlock: the file would time out).

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;

const syncNowLimit = process.env.LIMIT_SYNC_NOW;
beforeAll(async () => {
  // Sync now's throttle with a one-second window, so the second round of presses has room again.
  process.env.LIMIT_SYNC_NOW = '1/1';
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route'), concurrency: 16 });
});
afterAll(async () => {
  if (syncNowLimit === undefined) delete process.env.LIMIT_SYNC_NOW;
  else process.env.LIMIT_SYNC_NOW = syncNowLimit;
  await executor?.close();
  setKeyring(undefined);
});

interface Seeded {
  userId: string;
  connectionId: string;
  exchange: SimExchangeId;
}

/** Connection `i` holds amounts of its own, so holdings written to the wrong connection would show. */
async function seed(i: number, userId: string, due: boolean): Promise<Seeded> {
  const exchange = SIMULATED_EXCHANGES[i % SIMULATED_EXCHANGES.length]!;
  const { credentials } = addSimAccount(sim, exchange, { btc: `${i + 1}.5`, eth: `0.${i + 1}`, usdt: `${100 + i}` });
  const connectionId = await createTestConnection({
    userId,
    exchangeId: exchange,
    credentials,
    values: { nextSyncAt: new Date(Date.now() + (due ? -60_000 : 3_600_000)) },
  });
  return { userId, connectionId, exchange };
}

async function stateOf(connectionIds: string[]) {
  const held = await getDb()
    .select({
      connectionId: holdings.connectionId,
      asset: holdings.asset,
      wallet: holdings.wallet,
      total: holdings.total,
    })
    .from(holdings)
    .where(inArray(holdings.connectionId, connectionIds));
  const history = await getDb()
    .select({ connectionId: balanceHistory.connectionId, asset: balanceHistory.asset, total: balanceHistory.total })
    .from(balanceHistory)
    .where(inArray(balanceHistory.connectionId, connectionIds));
  const lines = (rows: Array<Record<string, unknown>>) => rows.map((row) => Object.values(row).join(' ')).sort();
  return { holdings: lines(held), history: lines(history) };
}

async function runsOf(connectionIds: string[]) {
  return getDb()
    .select({
      connectionId: syncRuns.connectionId,
      status: syncRuns.status,
      attempts: syncRuns.attempts,
      startedAt: syncRuns.startedAt,
      finishedAt: syncRuns.finishedAt,
    })
    .from(syncRuns)
    .where(inArray(syncRuns.connectionId, connectionIds));
}

/** No two runs of one connection were ever pending together: their running spans do not overlap. */
function expectOneRunAtATime(runs: Awaited<ReturnType<typeof runsOf>>) {
  for (const connectionId of new Set(runs.map((run) => run.connectionId))) {
    const own = runs.filter((run) => run.connectionId === connectionId);
    const spans = own
      .map((run) => [run.startedAt!.getTime(), run.finishedAt!.getTime()] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0], connectionId).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  }
}

describe('load', () => {
  it('50 connections due at once: one run each, all succeeded, holdings as a serial run leaves them', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => createTestUser()));
    const seeded = await Promise.all(Array.from({ length: 50 }, (_, i) => seed(i, users[i % users.length]!, true)));
    const ids = seeded.map((s) => s.connectionId);

    // One scheduler tick claims all 50 and sends their events; the executor runs them 16 at a time.
    const tick = await executor.tick('schedule-syncs');
    expect(tick.output).toEqual({ pages: 1, runs: 50 });
    const concurrentRuns = await runsOf(ids);
    expect(concurrentRuns).toHaveLength(50);
    expect(new Set(concurrentRuns.map((run) => run.connectionId)).size).toBe(50);
    // Succeeded, each on its first attempt unless the exchange refused one (a loaded machine can hold a
    // signed request past KuCoin's 5 s timestamp window; Inngest then retries it).
    expect(concurrentRuns.filter((run) => run.status !== 'succeeded')).toEqual([]);
    const concurrent = await stateOf(ids);
    // Three assets a connection (KuCoin's USDT in its main wallet, the rest in the trading one).
    expect(concurrent.holdings).toHaveLength(150);

    // The same syncs once more, one connection after another: nothing may change.
    for (const s of seeded) {
      const { runId } = await enqueueRun({ connectionId: s.connectionId, userId: s.userId, trigger: 'manual' });
      expect(await sendSyncRuns([{ ...s, runId, exchangeId: s.exchange }], { timeoutMs: 30_000 })).toMatchObject({
        ok: true,
      });
      await executor.settled();
    }
    expect(await stateOf(ids)).toEqual(concurrent);
    const allRuns = await runsOf(ids);
    expect(allRuns.filter((run) => run.status !== 'succeeded')).toEqual([]);
    expect(allRuns).toHaveLength(100);
    expectOneRunAtATime(allRuns);
  }, 240_000);

  it('10 simultaneous Sync now on one connection: one run, one sync, the holdings written once', async () => {
    const userId = await createTestUser();
    const s = await seed(7, userId, false);
    executor.reset();
    sim.clearLog();

    const pressed = await Promise.all(Array.from({ length: 10 }, () => syncNow(userId, s.connectionId)));
    await executor.settled();

    // Each press is answered with the one run, or (a press that lost the throttle's race before that run
    // existed) told when to try again; none fails otherwise.
    for (const result of pressed) if (!result.ok) expect(result.message).toMatch(/Try again in \d+ s\.$/);
    const runIds = new Set(pressed.flatMap((result) => (result.ok ? [result.run.id] : [])));
    expect(runIds.size).toBe(1);
    expect(pressed.filter((result) => result.ok && result.run.created)).toHaveLength(1);
    const runs = await runsOf([s.connectionId]);
    expect(runs).toMatchObject([{ status: 'succeeded', attempts: 1 }]);
    // One sync reached the exchange: its balance requests once (the markets are shared per process).
    const syncs = executor.runsOf('sync-connection');
    expect(syncs.filter((run) => run.status === 'completed')).toHaveLength(1);
    expect(syncs.every((run) => run.status === 'completed' || run.status === 'skipped')).toBe(true);
    const [run] = await getDb()
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(eq(syncRuns.connectionId, s.connectionId));
    expect(runIds.has(run!.id)).toBe(true);
    expect((await stateOf([s.connectionId])).holdings).toHaveLength(3);

    // Pressed again ten times once it is done (and Sync now's 1-per-window throttle has room again):
    // again exactly one new run.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await Promise.all(Array.from({ length: 10 }, () => syncNow(userId, s.connectionId)));
    await executor.settled();
    for (const result of again) if (!result.ok) expect(result.message).toMatch(/Try again in \d+ s\.$/);
    expect(new Set(again.flatMap((result) => (result.ok ? [result.run.id] : []))).size).toBe(1);
    const after = await runsOf([s.connectionId]);
    expect(after.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expectOneRunAtATime(after);
  }, 120_000);
});
