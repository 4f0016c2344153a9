import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { holdings, syncRuns } from '@/db/schema';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimAccount } from '@/lib/testing/exchange-simulator/types';
import { syncAll as appSyncAll, syncNow as appSyncNow } from '@/lib/connections/sync-now';
import { enqueueRun } from '@/lib/sync/runs';
import { withTestDatabase } from '@/lib/testing/database';
import { connectionRow, runRow } from '@/lib/testing/fixtures';
import { startTestExecutor, type RunRecord, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { inngest } from '@/lib/jobs/client';
import { connectionDisconnected, userSyncAllRequested } from '@/lib/jobs/events';
import { syncRequestFor } from '@/lib/jobs/events';
import { UNEXPECTED_FAILURE_MESSAGE } from './functions/sync-connection';

// The real chain: events through the fake Event API, the real route handlers, the sync core, the
// vault, ccxt against the exchange simulator, and the database (PostgreSQL or PGlite).

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;

beforeAll(async () => {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route') });
});
afterAll(async () => {
  await executor?.close();
  setKeyring(undefined);
});
beforeEach(() => executor.reset());

const WALLETS: SimAccount['wallets'] = {
  spot: { BTC: { free: '1.5', used: '0.25' }, ETH: { free: '10', used: '0' } },
  funding: { USDT: { free: '250.5', used: '0' } },
};

interface Seeded {
  userId: string;
  connectionId: string;
  apiKey: string;
  secret: string;
}

/** A Binance connection with stored credentials and a simulator account behind it. */
async function seedConnection(
  options: { userId?: string; due?: boolean; status?: 'active' | 'needs_reauth' } = {},
): Promise<Seeded> {
  const userId = options.userId ?? (await createTestUser());
  const apiKey = `chain-${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(24).toString('hex');
  const connectionId = await createTestConnection({
    userId,
    label: `Binance ${apiKey.slice(-4)}`,
    credentials: { apiKey, secret },
    values: {
      status: options.status ?? 'active',
      // Not due unless asked, so a cron tick only claims this test's connections.
      nextSyncAt: new Date(Date.now() + (options.due ? -60_000 : 3_600_000)),
    },
  });
  sim.addAccount({ exchange: 'binance', apiKey, secret, wallets: WALLETS });
  return { userId, connectionId, apiKey, secret };
}

/** What "Sync now" does: queue the run, send its event (the real client, to the fake Event API). */
async function syncNow(seeded: Seeded) {
  const run = await enqueueRun({ connectionId: seeded.connectionId, userId: seeded.userId, trigger: 'manual' });
  await inngest.send(syncRequestFor({ connectionId: seeded.connectionId, runId: run.runId, exchangeId: 'binance' }));
  await executor.settled();
  return run.runId;
}

async function holdingsOf(connectionId: string) {
  const rows = await getDb()
    .select({ asset: holdings.asset, wallet: holdings.wallet, total: holdings.total })
    .from(holdings)
    .where(eq(holdings.connectionId, connectionId));
  return rows.map((r) => `${r.wallet}:${r.asset}=${Number(r.total)}`).sort();
}

const EXPECTED_HOLDINGS = ['funding:USDT=250.5', 'spot:BTC=1.75', 'spot:ETH=10'];
const signedRequests = (apiKey: string) => sim.log({ apiKey }).length;
const opsOf = (runs: RunRecord[]) => runs.map((run) => run.ops);

describe('Sync now → event → sync-connection', () => {
  it('writes the holdings, succeeds the run and sends nothing secret through Inngest', async () => {
    const seeded = await seedConnection();
    const runId = await syncNow(seeded);

    expect(executor.events).toStrictEqual([
      expect.objectContaining({ id: `sync-${runId}`, name: 'connection/sync.requested' }),
    ]);
    const [run] = executor.runsOf('sync-connection');
    expect(run).toMatchObject({ status: 'completed', ops: ['Completed'] });
    expect(run!.output).toStrictEqual({ status: 'succeeded', assets: 3, warnings: [] });

    expect(await holdingsOf(seeded.connectionId)).toStrictEqual(EXPECTED_HOLDINGS);
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', attempts: 1, assetsCount: 3 });
    expect(await connectionRow(seeded.connectionId)).toMatchObject({ status: 'active', consecutiveFailures: 0 });

    const everythingInngestSaw = JSON.stringify([executor.events, executor.runs]);
    for (const secret of [seeded.apiKey, seeded.secret, '250.5', '1.75']) {
      expect(everythingInngestSaw).not.toContain(secret);
    }
  });

  it('the app’s own Sync now and Sync all (lib/connections) go through the same chain', async () => {
    const seeded = await seedConnection();
    const pressed = await appSyncNow(seeded.userId, seeded.connectionId);
    expect(pressed).toMatchObject({ ok: true, run: { created: true } });
    await executor.settled();
    expect(executor.runsOf('sync-connection')).toMatchObject([{ status: 'completed' }]);
    expect(await holdingsOf(seeded.connectionId)).toStrictEqual(EXPECTED_HOLDINGS);

    expect(await appSyncAll(seeded.userId)).toStrictEqual({ ok: true, connections: 1 });
    await executor.settled();
    expect(executor.runsOf('sync-all')).toMatchObject([{ status: 'completed', output: { started: 1 } }]);
    expect(executor.runsOf('sync-connection').map((r) => r.status)).toStrictEqual(['completed', 'completed']);
  });

  it('a duplicate event (same idempotency id) starts the run once', async () => {
    const seeded = await seedConnection();
    const runId = await syncNow(seeded);
    await inngest.send(syncRequestFor({ connectionId: seeded.connectionId, runId, exchangeId: 'binance' }));
    await executor.settled();
    expect(executor.runsOf('sync-connection')).toHaveLength(1);
  });
});

describe('failures and retries', () => {
  it('refused keys: NonRetriableError, no retry, onFailure, connection needs_reauth', async () => {
    const seeded = await seedConnection();
    sim.addFault(seeded.apiKey, { kind: 'auth', remaining: 10 });
    const runId = await syncNow(seeded);

    expect(opsOf(executor.runsOf('sync-connection'))).toStrictEqual([['Failed']]);
    expect(executor.runsOf('sync-connection')[0]!.error).toMatchObject({ name: 'NonRetriableError' });
    expect(executor.runsOf('sync-connection-failure')).toMatchObject([{ status: 'completed' }]);
    expect(signedRequests(seeded.apiKey)).toBe(1);

    const run = await runRow(runId);
    expect(run).toMatchObject({ status: 'failed', errorKind: 'auth', attempts: 1 });
    expect(run.finishedAt).toBeInstanceOf(Date);
    expect(run.error).not.toContain(seeded.apiKey);
    expect(await connectionRow(seeded.connectionId)).toMatchObject({ status: 'needs_reauth', nextSyncAt: null });
    expect(await holdingsOf(seeded.connectionId)).toStrictEqual([]);
  });

  it('a transient failure is retried by Inngest and then succeeds', async () => {
    const seeded = await seedConnection();
    sim.addFault(seeded.apiKey, { kind: 'server_error', remaining: 1 });
    const runId = await syncNow(seeded);

    expect(opsOf(executor.runsOf('sync-connection'))).toStrictEqual([['FunctionError', 'Completed']]);
    expect(executor.runsOf('sync-connection-failure')).toStrictEqual([]);
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    expect(await connectionRow(seeded.connectionId)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    expect(await holdingsOf(seeded.connectionId)).toStrictEqual(EXPECTED_HOLDINGS);
  });

  it('a rate limit retries after the time the exchange asked for (RetryAfterError)', async () => {
    const seeded = await seedConnection();
    sim.addFault(seeded.apiKey, { kind: 'rate_limit', retryAfterSeconds: 7, remaining: 1 });
    const runId = await syncNow(seeded);

    const [run] = executor.runsOf('sync-connection');
    expect(run).toMatchObject({ status: 'completed', ops: ['FunctionError', 'Completed'], retryAfter: ['7'] });
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('spends 3 retries on a failure that persists, then onFailure marks the run failed', async () => {
    const seeded = await seedConnection();
    sim.addFault(seeded.apiKey, { kind: 'server_error', remaining: 100 });
    const runId = await syncNow(seeded);

    expect(opsOf(executor.runsOf('sync-connection'))).toStrictEqual([
      ['FunctionError', 'FunctionError', 'FunctionError', 'Failed'],
    ]);
    expect(executor.runsOf('sync-connection-failure')).toMatchObject([{ status: 'completed' }]);
    expect(signedRequests(seeded.apiKey)).toBe(4);
    const run = await runRow(runId);
    expect(run).toMatchObject({ status: 'failed', attempts: 4 });
    expect(run.errorKind).not.toBe('other');
    expect(run.error).not.toBe(UNEXPECTED_FAILURE_MESSAGE);
    expect(await connectionRow(seeded.connectionId)).toMatchObject({ status: 'error', consecutiveFailures: 4 });
  });

  it('a disconnect cancels the run’s pending retries (cancelOn)', async () => {
    const seeded = await seedConnection();
    sim.addFault(seeded.apiKey, { kind: 'server_error', remaining: 100 });
    const run = await enqueueRun({ connectionId: seeded.connectionId, userId: seeded.userId, trigger: 'manual' });
    await executor.send([
      syncRequestFor({ connectionId: seeded.connectionId, runId: run.runId, exchangeId: 'binance' }),
      connectionDisconnected.create({ connectionId: seeded.connectionId }),
    ]);
    expect(executor.runsOf('sync-connection')).toMatchObject([{ status: 'cancelled', ops: ['FunctionError'] }]);
    expect(signedRequests(seeded.apiKey)).toBe(1);
  });

  it('a second event for a connection whose run is still going is skipped (singleton)', async () => {
    const seeded = await seedConnection();
    const run = await enqueueRun({ connectionId: seeded.connectionId, userId: seeded.userId, trigger: 'manual' });
    const event = syncRequestFor({ connectionId: seeded.connectionId, runId: run.runId, exchangeId: 'binance' });
    await executor.send([event, { ...event, id: 'another-id' }]);
    expect(executor.runsOf('sync-connection').map((r) => r.status)).toStrictEqual(['completed', 'skipped']);
    expect(await runRow(run.runId)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });
});

describe('fan-out', () => {
  it('a cron tick syncs every due connection once; the next tick finds nothing due', async () => {
    const due = await Promise.all([1, 2, 3].map(() => seedConnection({ due: true })));
    const notDue = await seedConnection();

    const tick = await executor.tick('schedule-syncs');
    expect(tick).toMatchObject({ status: 'completed', output: { pages: 1, runs: 3 } });
    expect(executor.events.map((e) => e.name)).toStrictEqual(Array(3).fill('connection/sync.requested'));
    expect(executor.events.every((e) => e.id === `sync-${String(e.data.runId)}`)).toBe(true);
    expect(executor.runsOf('sync-connection').map((r) => r.status)).toStrictEqual(Array(3).fill('completed'));
    for (const seeded of due) expect(await holdingsOf(seeded.connectionId)).toStrictEqual(EXPECTED_HOLDINGS);
    expect(await holdingsOf(notDue.connectionId)).toStrictEqual([]);
    // Each run records that Inngest accepted its event, so the clean-up leaves it to the long rule.
    const recorded = await getDb()
      .select({ eventId: syncRuns.eventId })
      .from(syncRuns)
      .where(
        inArray(
          syncRuns.connectionId,
          due.map((seeded) => seeded.connectionId),
        ),
      );
    expect(recorded).toStrictEqual(Array(3).fill({ eventId: expect.any(String) }));

    executor.reset();
    expect(await executor.tick('schedule-syncs')).toMatchObject({ output: { pages: 1, runs: 0 } });
    expect(executor.runsOf('sync-connection')).toStrictEqual([]);
  });

  it('Sync all: one sync per connection that can sync, through the same path', async () => {
    const userId = await createTestUser();
    const first = await seedConnection({ userId });
    const second = await seedConnection({ userId });
    const refused = await seedConnection({ userId, status: 'needs_reauth' });

    await inngest.send(userSyncAllRequested.create({ userId }));
    await executor.settled();

    expect(executor.runsOf('sync-all')).toMatchObject([
      { status: 'completed', output: { connections: 2, started: 2 } },
    ]);
    expect(executor.runsOf('sync-connection').map((r) => r.status)).toStrictEqual(['completed', 'completed']);
    expect(await holdingsOf(first.connectionId)).toStrictEqual(EXPECTED_HOLDINGS);
    expect(await holdingsOf(second.connectionId)).toStrictEqual(EXPECTED_HOLDINGS);
    expect(await holdingsOf(refused.connectionId)).toStrictEqual([]);
    const runs = await getDb()
      .select({ trigger: syncRuns.trigger, status: syncRuns.status, eventId: syncRuns.eventId })
      .from(syncRuns)
      .where(inArray(syncRuns.connectionId, [first.connectionId, second.connectionId, refused.connectionId]));
    expect(runs).toStrictEqual(
      Array(2).fill({ trigger: 'sync_all', status: 'succeeded', eventId: expect.any(String) }),
    );
  });

  it('clean-stale-syncs marks runs stuck in running as stale', async () => {
    const seeded = await seedConnection();
    const [stuck] = await getDb()
      .insert(syncRuns)
      .values({
        connectionId: seeded.connectionId,
        userId: seeded.userId,
        trigger: 'scheduled',
        status: 'running',
        startedAt: new Date(Date.now() - 11 * 60_000),
      })
      .returning({ id: syncRuns.id });
    const tick = await executor.tick('clean-stale-syncs');
    expect(tick).toMatchObject({ status: 'completed', output: { stale: 1 } });
    expect(await runRow(stuck!.id)).toMatchObject({ status: 'stale' });
  });
});
