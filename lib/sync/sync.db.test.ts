import { randomBytes } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { balanceHistory, exchangeConnections, exchangeCredentials, holdings, syncRuns } from '@/db/schema';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { FaultKind, SimAccount } from '@/lib/testing/exchange-simulator/types';
import type { BalanceResult, BalanceRow } from '@/lib/exchanges/types';
import { withTestDatabase } from '@/lib/testing/database';
import { balanceRow, connectionRow, runRow } from '@/lib/testing/fixtures';
import { withSimulator } from '@/lib/testing/simulator';
import { setKeyring } from '@/lib/vault/keyring';
import { MalformedBalancesError } from './apply-result';
import { recordSyncFailure } from './record-failure';
import { enqueueRun } from './runs';
import { applySyncResult, SyncNotAppliedError, syncConnection } from './sync-connection';
import { createTestConnection, createTestUser, recordingDatabase, useTestKeyring } from '@/lib/testing/factories';

const database = withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((simulator) => (sim = simulator));
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

// The binance spot balance: faults limited to it fail the sync itself (optional wallets only warn).
const SPOT_PATH = '/api/v3/account';
const MINUTE = 60_000;

type Wallets = SimAccount['wallets'];

/** A simulator account and a connection holding its keys. */
async function binanceConnection(wallets: Wallets, values: Parameters<typeof createTestConnection>[0]['values'] = {}) {
  const apiKey = `sync-binance-${randomBytes(12).toString('hex')}`;
  const secret = `sync-binance-secret-${randomBytes(24).toString('hex')}`;
  sim.addAccount({ exchange: 'binance', apiKey, secret, wallets });
  const userId = await createTestUser();
  const connectionId = await createTestConnection({ userId, credentials: { apiKey, secret }, values });
  return { apiKey, secret, userId, connectionId };
}

async function queueAndSync(connection: { connectionId: string; userId: string }) {
  const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
  return { runId, outcome: await syncConnection(connection.connectionId, runId) };
}

async function holdingsOf(connectionId: string) {
  const rows = await getDb()
    .select({ asset: holdings.asset, wallet: holdings.wallet, free: holdings.free, total: holdings.total })
    .from(holdings)
    .where(eq(holdings.connectionId, connectionId))
    .orderBy(asc(holdings.wallet), asc(holdings.asset));
  return rows.map((row) => `${row.wallet}:${row.asset}=${Number(row.total) === 0 ? '0' : row.total}`);
}

const spot = (assets: Record<string, string>): Wallets => ({
  spot: Object.fromEntries(Object.entries(assets).map(([asset, free]) => [asset, { free, used: '0' }])),
});

/** What Disconnect records first; whether the keys go too is up to each case. */
async function markDisconnected(connectionId: string) {
  await getDb()
    .update(exchangeConnections)
    .set({ disconnectedAt: new Date() })
    .where(eq(exchangeConnections.id, connectionId));
}

describe('a successful sync', () => {
  it('applies a 1,000-asset account: one run, 1,000 holdings and history rows, the connection active', async () => {
    const assets = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`TK${String(i).padStart(4, '0')}`, `${i + 1}.00000001`]),
    );
    const connection = await binanceConnection(spot(assets));
    const { runId, outcome } = await queueAndSync(connection);

    expect(outcome).toEqual({ status: 'succeeded', assets: 1000, warnings: [] });
    const [counts] = await getDb()
      .select({
        holdings: sql<number>`(select count(*)::int from holdings where connection_id = ${connection.connectionId})`,
        history: sql<number>`(select count(*)::int from balance_history where connection_id = ${connection.connectionId})`,
        runs: sql<number>`(select count(*)::int from sync_runs where connection_id = ${connection.connectionId})`,
      })
      .from(sql`(select 1) as one`);
    expect(counts).toEqual({ holdings: 1000, history: 1000, runs: 1 });
    const [btcLike] = await getDb()
      .select({ total: holdings.total })
      .from(holdings)
      .where(and(eq(holdings.connectionId, connection.connectionId), eq(holdings.asset, 'TK0999')));
    expect(btcLike?.total).toBe('1000.00000001');

    const run = await runRow(runId);
    expect(run).toMatchObject({ status: 'succeeded', attempts: 1, assetsCount: 1000, error: null });
    expect(run.finishedAt).toBeInstanceOf(Date);
    const state = await connectionRow(connection.connectionId);
    expect(state).toMatchObject({ status: 'active', lastError: null, consecutiveFailures: 0, blockedUntil: null });
    expect(state.lastSuccessAt?.getTime()).toBe(state.lastSyncAt?.getTime());
    expect(state.nextSyncAt!.getTime() - state.lastSuccessAt!.getTime()).toBe(300_000);
  });

  it('sends the same few statements for 10 assets as for 1,000 (no per-asset round trips)', async () => {
    const counts: number[] = [];
    for (const size of [10, 1000]) {
      const userId = await createTestUser();
      const connectionId = await createTestConnection({ userId });
      const { runId } = await enqueueRun({ connectionId, userId, trigger: 'connect' });
      const result = { rows: Array.from({ length: size }, (_, i) => balanceRow(`A${i}`, '1')), warnings: [] };
      const recording = recordingDatabase(database.handle());
      await applySyncResult({ connectionId, runId, result }, recording.db);
      counts.push(recording.statements.length);
      expect(await getDb().$count(holdings, eq(holdings.connectionId, connectionId))).toBe(size);
      expect(await runRow(runId)).toMatchObject({ status: 'succeeded', attempts: 1, assetsCount: size });
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBe(2);
  });

  it('removes vanished assets, updates changed ones, and keeps one history row per asset and hour', async () => {
    const connection = await binanceConnection({
      spot: { BTC: { free: '1', used: '0.5' }, ETH: { free: '2', used: '0' }, SOL: { free: '3', used: '0' } },
      funding: { USDT: { free: '10', used: '0' } },
    });
    expect((await queueAndSync(connection)).outcome.status).toBe('succeeded');
    expect(await holdingsOf(connection.connectionId)).toEqual([
      'funding:USDT=10',
      'spot:BTC=1.5',
      'spot:ETH=2',
      'spot:SOL=3',
    ]);

    sim.setWallets(connection.apiKey, { spot: { BTC: { free: '0.25', used: '0' }, ETH: { free: '2', used: '0' } } });
    expect((await queueAndSync(connection)).outcome).toMatchObject({ status: 'succeeded', assets: 2 });
    expect(await holdingsOf(connection.connectionId)).toEqual(['spot:BTC=0.25', 'spot:ETH=2']);
  });

  it('keeps what it stored of a wallet it could not read this time, and counts it in the hour’s totals', async () => {
    const connection = await binanceConnection({
      spot: { BTC: { free: '1', used: '0' } },
      funding: { USDT: { free: '250', used: '0' }, BTC: { free: '0.5', used: '0' } },
    });
    await queueAndSync(connection);
    sim.setWallets(connection.apiKey, {
      spot: { BTC: { free: '2', used: '0' } },
      funding: { USDT: { free: '1', used: '0' }, BTC: { free: '9', used: '0' } },
    });
    // The funding wallet's read fails (a 500 on its path): the sync succeeds with a warning.
    sim.addFault(connection.apiKey, { kind: 'server_error', pathIncludes: '/sapi/v1/asset/get-funding-asset' });
    const { outcome } = await queueAndSync(connection);
    expect(outcome).toMatchObject({ status: 'succeeded', warnings: ['Funding wallet balances could not be read.'] });
    // Spot is updated; the funding wallet is as it was, not emptied.
    expect(await holdingsOf(connection.connectionId)).toEqual(['funding:BTC=0.5', 'funding:USDT=250', 'spot:BTC=2']);
    const history = await getDb()
      .select({ asset: balanceHistory.asset, total: balanceHistory.total })
      .from(balanceHistory)
      .where(eq(balanceHistory.connectionId, connection.connectionId))
      .orderBy(asc(balanceHistory.asset));
    expect(history.map((h) => `${h.asset}=${Number(h.total)}`)).toEqual(['BTC=2.5', 'USDT=250']);
  });

  it('writes the hour’s history: latest total per asset across wallets, an asset gone within the hour at 0', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const apply = async (rows: BalanceRow[], now: Date) => {
      const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
      await applySyncResult({ connectionId, runId, result: { rows, warnings: [] }, now });
    };
    const at = (iso: string) => new Date(iso);
    await apply(
      [balanceRow('BTC', '1'), balanceRow('BTC', '2', 'earn'), balanceRow('ETH', '5')],
      at('2030-01-01T10:05:00Z'),
    );
    await apply([balanceRow('BTC', '1.5')], at('2030-01-01T10:35:00Z'));
    await apply([balanceRow('BTC', '1.25')], at('2030-01-01T11:01:00Z'));

    const history = await getDb()
      .select({ asset: balanceHistory.asset, hour: balanceHistory.hour, total: balanceHistory.total })
      .from(balanceHistory)
      .where(eq(balanceHistory.connectionId, connectionId))
      .orderBy(asc(balanceHistory.hour), asc(balanceHistory.asset));
    expect(history.map((h) => `${h.hour.toISOString()} ${h.asset}=${h.total}`)).toEqual([
      '2030-01-01T10:00:00.000Z BTC=1.5',
      '2030-01-01T10:00:00.000Z ETH=0',
      '2030-01-01T11:00:00.000Z BTC=1.25',
    ]);
  });

  it('merges duplicate rows, drops empty ones, and refuses malformed amounts before writing anything', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    const bad: BalanceResult = {
      rows: [balanceRow('BTC', '1'), { ...balanceRow('ETH', '1'), total: '1e-8' }],
      warnings: [],
    };
    await expect(applySyncResult({ connectionId, runId, result: bad })).rejects.toBeInstanceOf(MalformedBalancesError);
    await expect(
      applySyncResult({
        connectionId,
        runId,
        result: { rows: [{ ...balanceRow('BTC', '1'), total: 1 }], warnings: [] } as never,
      }),
    ).rejects.toBeInstanceOf(MalformedBalancesError);
    expect(await holdingsOf(connectionId)).toEqual([]);
    expect((await runRow(runId)).status).toBe('queued');

    const rows = [
      balanceRow('BTC', '0.1'),
      balanceRow('BTC', '0.2'),
      balanceRow('DUST', '0'),
      balanceRow('ETH', '-1.5'),
    ];
    await applySyncResult({ connectionId, runId, result: { rows, warnings: ['Earn balances could not be read.'] } });
    expect(await holdingsOf(connectionId)).toEqual(['spot:BTC=0.3', 'spot:ETH=-1.5']);
    expect(await runRow(runId)).toMatchObject({ assetsCount: 2, warnings: ['Earn balances could not be read.'] });
  });
});

describe('what a sync never does', () => {
  it.each(['html', 'truncated'] as FaultKind[])('a malformed answer (%s) changes no holdings', async (kind) => {
    const connection = await binanceConnection(spot({ BTC: '1', ETH: '2' }));
    await queueAndSync(connection);
    const before = await connectionRow(connection.connectionId);

    sim.setWallets(connection.apiKey, spot({ BTC: '9' }));
    sim.addFault(connection.apiKey, { kind, pathIncludes: SPOT_PATH });
    const { runId, outcome } = await queueAndSync(connection);

    expect(outcome).toMatchObject({ status: 'failed', kind: 'malformed', retriable: true });
    expect(await holdingsOf(connection.connectionId)).toEqual(['spot:BTC=1', 'spot:ETH=2']);
    expect(await runRow(runId)).toMatchObject({ status: 'queued', errorKind: 'malformed', attempts: 1 });
    const after = await connectionRow(connection.connectionId);
    expect(after).toMatchObject({ status: 'error', consecutiveFailures: 1 });
    expect(after.lastSuccessAt).toEqual(before.lastSuccessAt);
  });

  it('a database error in the middle of applying rolls every write back', async () => {
    const connection = await binanceConnection(spot({ BTC: '1', ETH: '2' }));
    await queueAndSync(connection);
    const before = await connectionRow(connection.connectionId);

    // Fails the third statement (history), after holdings were upserted and vanished ones deleted.
    await getDb().execute(sql`
      create function sync_test_fail_on_boom() returns trigger language plpgsql as $$
      begin
        if new.asset = 'BOOM' then raise exception 'boom refused'; end if;
        return new;
      end $$`);
    await getDb().execute(sql`
      create trigger sync_test_fail_on_boom before insert on balance_history
      for each row execute function sync_test_fail_on_boom()`);
    // The trigger's own exception, not some other failure on the way.
    const refusedByTrigger = { cause: { message: expect.stringContaining('boom refused') } };
    try {
      sim.setWallets(connection.apiKey, spot({ BTC: '5', BOOM: '1' }));
      const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
      await expect(syncConnection(connection.connectionId, runId)).rejects.toMatchObject(refusedByTrigger);

      expect(await holdingsOf(connection.connectionId)).toEqual(['spot:BTC=1', 'spot:ETH=2']);
      // The attempt stays 'running': the job engine retries it (or the stale sweep frees it).
      expect(await runRow(runId)).toMatchObject({ status: 'running', attempts: 1, finishedAt: null });
      expect(await connectionRow(connection.connectionId)).toEqual(before);

      const direct = { rows: [balanceRow('BTC', '7'), balanceRow('BOOM', '1')], warnings: [] };
      await expect(
        applySyncResult({ connectionId: connection.connectionId, runId, result: direct }),
      ).rejects.toMatchObject(refusedByTrigger);
      expect(await holdingsOf(connection.connectionId)).toEqual(['spot:BTC=1', 'spot:ETH=2']);
    } finally {
      await getDb().execute(sql`drop trigger sync_test_fail_on_boom on balance_history`);
      await getDb().execute(sql`drop function sync_test_fail_on_boom()`);
    }
  });

  it('two concurrent applies of one connection serialise: the final state is exactly one of them', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const results = ['A', 'B'].map((tag) => ({
      tag,
      result: { rows: Array.from({ length: 300 }, (_, i) => balanceRow(`${tag}${i}`, `${i + 1}`)), warnings: [] },
    }));
    for (let round = 0; round < 5; round++) {
      const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
      const settled = await Promise.allSettled(
        results.map(({ result }) => applySyncResult({ connectionId, runId, result })),
      );
      const winners = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [results[i]!.tag] : []));
      expect(winners).toHaveLength(1);
      const loser = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(SyncNotAppliedError);
      expect((loser.reason as SyncNotAppliedError).reason).toBe('run_not_pending');

      const held = await holdingsOf(connectionId);
      expect(held).toHaveLength(300);
      expect(held.every((h) => h.startsWith(`spot:${winners[0]}`))).toBe(true);
      expect(await runRow(runId)).toMatchObject({ status: 'succeeded', assetsCount: 300 });
    }
  });

  it('two concurrent syncs of one run: one applies, the other is skipped', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
    const outcomes = await Promise.all([
      syncConnection(connection.connectionId, runId),
      syncConnection(connection.connectionId, runId),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['skipped', 'succeeded']);
    expect(await holdingsOf(connection.connectionId)).toEqual(['spot:BTC=1']);
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('skips a run that is no longer pending without calling the exchange', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    const { runId } = await queueAndSync(connection);
    const requests = sim.log({ apiKey: connection.apiKey }).length;
    expect(await syncConnection(connection.connectionId, runId)).toEqual({
      status: 'skipped',
      reason: expect.any(String),
    });
    expect(sim.log({ apiKey: connection.apiKey })).toHaveLength(requests);
  });
});

describe('failures land in the right state', () => {
  it('auth: needs_reauth, no next run, the run failed and not retriable; the message holds no secret', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    sim.addFault(connection.apiKey, { kind: 'auth', pathIncludes: SPOT_PATH });
    const { runId, outcome } = await queueAndSync(connection);

    expect(outcome).toMatchObject({ status: 'failed', kind: 'auth', retriable: false });
    const state = await connectionRow(connection.connectionId);
    expect(state).toMatchObject({ status: 'needs_reauth', nextSyncAt: null, consecutiveFailures: 1 });
    expect(state.lastError).toMatch(/rejected this API key/);
    const run = await runRow(runId);
    expect(run).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(run.finishedAt).toBeInstanceOf(Date);
    const stored = JSON.stringify({ outcome, state, run });
    expect(stored).not.toContain(connection.apiKey);
    expect(stored).not.toContain(connection.secret);
  });

  it('auth with a key the user replaced while the run was reading: the run fails, the new key is not marked', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
    await getDb()
      .update(syncRuns)
      .set({ status: 'running', startedAt: new Date(Date.now() - MINUTE) })
      .where(eq(syncRuns.id, runId));
    // What updateConnection does with a new key: new credentials, the connection active again.
    await getDb()
      .update(exchangeCredentials)
      .set({ updatedAt: new Date() })
      .where(eq(exchangeCredentials.connectionId, connection.connectionId));

    await recordSyncFailure({ connectionId: connection.connectionId, runId, kind: 'auth', message: 'Refused.' });
    expect(await connectionRow(connection.connectionId)).toMatchObject({ status: 'active', lastError: null });
    expect(await runRow(runId)).toMatchObject({ status: 'failed', errorKind: 'auth' });
  });

  it('rate_limit: rate_limited until the exchange’s Retry-After, the run queued for a retry', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    sim.addFault(connection.apiKey, { kind: 'rate_limit', retryAfterSeconds: 120, pathIncludes: SPOT_PATH });
    const before = Date.now();
    const { runId, outcome } = await queueAndSync(connection);

    expect(outcome).toMatchObject({ status: 'failed', kind: 'rate_limit', retriable: true, retryAfterMs: 120_000 });
    const state = await connectionRow(connection.connectionId);
    expect(state.status).toBe('rate_limited');
    expect(state.blockedUntil!.getTime()).toBeGreaterThanOrEqual(before + 120_000);
    expect(state.blockedUntil!.getTime()).toBeLessThan(Date.now() + 121_000);
    expect(state.nextSyncAt).toEqual(state.blockedUntil);
    expect(await runRow(runId)).toMatchObject({ status: 'queued', errorKind: 'rate_limit', finishedAt: null });
  });

  it('transient: error with the message, the run queued, next_sync_at backed off and doubling; a success resets it', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
    for (const [failures, delayMinutes] of [
      [1, 10],
      [2, 20],
      [3, 40],
    ] as const) {
      sim.addFault(connection.apiKey, { kind: 'unavailable', pathIncludes: SPOT_PATH });
      const before = Date.now();
      const outcome = await syncConnection(connection.connectionId, runId);
      expect(outcome).toMatchObject({ status: 'failed', kind: 'transient', retriable: true });
      const state = await connectionRow(connection.connectionId);
      expect(state).toMatchObject({ status: 'error', consecutiveFailures: failures });
      expect(state.lastError).toMatch(/could not be reached/);
      const delay = state.nextSyncAt!.getTime() - state.lastSyncAt!.getTime();
      expect(delay).toBe(delayMinutes * MINUTE);
      expect(state.lastSyncAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(await runRow(runId)).toMatchObject({ status: 'queued', errorKind: 'transient', attempts: failures });
    }

    // Inngest's next retry of the same run succeeds.
    expect(await syncConnection(connection.connectionId, runId)).toMatchObject({ status: 'succeeded' });
    expect(await connectionRow(connection.connectionId)).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      lastError: null,
    });
    expect(await runRow(runId)).toMatchObject({ status: 'succeeded', attempts: 4, errorKind: null });
  });

  it('caps the back-off at 24 hours', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }), {
      syncIntervalSeconds: 3600,
      consecutiveFailures: 6,
      status: 'error',
    });
    sim.addFault(connection.apiKey, { kind: 'server_error', pathIncludes: SPOT_PATH });
    await queueAndSync(connection);
    const state = await connectionRow(connection.connectionId);
    expect(state.consecutiveFailures).toBe(7);
    expect(state.nextSyncAt!.getTime() - state.lastSyncAt!.getTime()).toBe(24 * 60 * MINUTE);
  });

  it('not_found: a disconnected connection fails its run without calling the exchange', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
    await markDisconnected(connection.connectionId);
    await getDb().delete(exchangeCredentials).where(eq(exchangeCredentials.connectionId, connection.connectionId));

    expect(await syncConnection(connection.connectionId, runId)).toMatchObject({
      status: 'failed',
      kind: 'not_found',
      retriable: false,
    });
    expect(await runRow(runId)).toMatchObject({ status: 'failed', errorKind: 'not_found' });
    expect(sim.log({ apiKey: connection.apiKey })).toHaveLength(0);
    await expect(
      applySyncResult({ connectionId: connection.connectionId, runId, result: { rows: [], warnings: [] } }),
    ).rejects.toMatchObject({ reason: 'connection_gone' });
  });

  it('not_found: a connection marked disconnected is not synced even while its keys are still stored', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }));
    const { runId } = await enqueueRun({ ...connection, trigger: 'manual' });
    await markDisconnected(connection.connectionId);

    expect(await syncConnection(connection.connectionId, runId)).toMatchObject({ status: 'failed', kind: 'not_found' });
    expect(await runRow(runId)).toMatchObject({ status: 'failed', errorKind: 'not_found' });
    expect(sim.log({ apiKey: connection.apiKey })).toHaveLength(0);
  });

  it('not_found: a disabled connection fails its run without calling the exchange, and stays disabled', async () => {
    const connection = await binanceConnection(spot({ BTC: '1' }), { status: 'disabled' });
    const { runId, outcome } = await queueAndSync(connection);
    expect(outcome).toMatchObject({ status: 'failed', kind: 'not_found', retriable: false });
    expect(await runRow(runId)).toMatchObject({ status: 'failed', errorKind: 'not_found' });
    expect(await connectionRow(connection.connectionId)).toMatchObject({ status: 'disabled', lastError: null });
    expect(sim.log({ apiKey: connection.apiKey })).toHaveLength(0);
  });
});
