import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import {
  CONNECTION_STATUSES,
  exchangeConnections,
  holdings,
  SYNC_STATUSES,
  syncRuns,
  type ConnectionStatus,
  type SyncStatus,
} from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { connectionRow, runRow, runsOf } from '@/lib/testing/fixtures';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';
import { applySyncResult, SyncNotAppliedError } from './apply-result';
import {
  cancelQueuedRuns,
  transitionConnection,
  transitionRuns,
  type ConnectionTransition,
  type RunTransition,
} from './state';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

const MINUTE = 60_000;
const NOW = new Date('2026-03-01T12:00:00Z');

// Written out by hand rather than read from the module, so a wrong from-state there fails here.
// A (from, transition) pair missing from its row is illegal: the row must stay as it was.
const RUN_TABLE: Record<RunTransition, Partial<Record<SyncStatus, SyncStatus>>> = {
  start: { queued: 'running', running: 'running' },
  succeed: { queued: 'succeeded', running: 'succeeded' },
  retry: { running: 'queued' },
  failAttempt: { running: 'failed' },
  fail: { queued: 'failed', running: 'failed' },
  markStale: { queued: 'stale', running: 'stale' },
  markUnsent: { queued: 'stale' },
};

const SYNCABLE_TO = (to: ConnectionStatus) => ({ active: to, needs_reauth: to, rate_limited: to, error: to }) as const;

const CONNECTION_TABLE: Record<ConnectionTransition, Partial<Record<ConnectionStatus, ConnectionStatus>>> = {
  syncSucceeded: SYNCABLE_TO('active'),
  needsReauth: SYNCABLE_TO('needs_reauth'),
  rateLimited: SYNCABLE_TO('rate_limited'),
  syncFailed: SYNCABLE_TO('error'),
  keysReplaced: SYNCABLE_TO('active'),
  disconnected: { ...SYNCABLE_TO('disabled'), disabled: 'disabled' },
};

const runTransitions = Object.keys(RUN_TABLE) as RunTransition[];
const connectionTransitions = Object.keys(CONNECTION_TABLE) as ConnectionTransition[];

async function runIn(status: SyncStatus) {
  const userId = await createTestUser();
  const connectionId = await createTestConnection({ userId });
  const [run] = await getDb()
    .insert(syncRuns)
    .values({ connectionId, userId, trigger: 'manual', status, startedAt: status === 'queued' ? null : NOW })
    .returning({ id: syncRuns.id });
  return { runId: run!.id, connectionId, userId };
}

describe('run transitions', () => {
  const cases = SYNC_STATUSES.flatMap((from) =>
    runTransitions.map((transition) => ({ from, transition, to: RUN_TABLE[transition][from] ?? null })),
  );

  it.each(cases)('$from --$transition--> $to (null: refused)', async ({ from, transition, to }) => {
    const { runId, connectionId, userId } = await runIn(from);
    const moved = await transitionRuns(transition, { runId }, { error: 'written with the transition' });

    const row = await runRow(runId);
    if (to === null) {
      expect(moved).toEqual([]);
      expect(row).toMatchObject({ status: from, error: null });
    } else {
      expect(moved).toEqual([{ id: runId, connectionId, userId }]);
      expect(row).toMatchObject({ status: to, error: 'written with the transition' });
    }
  });

  it('moves only the runs its target names', async () => {
    const first = await runIn('running');
    const second = await runIn('running');
    const moved = await transitionRuns('fail', { connectionId: first.connectionId, userId: first.userId });
    expect(moved.map((run) => run.id)).toEqual([first.runId]);
    expect((await runRow(second.runId)).status).toBe('running');
    // Another user's id with the right run changes nothing.
    expect(await transitionRuns('fail', { runId: second.runId, userId: first.userId })).toEqual([]);
    expect((await runRow(second.runId)).status).toBe('running');
  });

  it('refuses a target that names no run, connection or condition (it would move every run)', async () => {
    await expect(transitionRuns('fail', {})).rejects.toThrow(/name a run/);
  });

  it('cancels (deletes) only runs still queued', async () => {
    const runs = await Promise.all(SYNC_STATUSES.map((status) => runIn(status)));
    await cancelQueuedRuns(runs.map((run) => run.runId));
    const left = await Promise.all(
      runs.map(async (run) => (await runsOf(run.connectionId)).map((row) => row.status)[0] ?? 'deleted'),
    );
    expect(left).toEqual(['deleted', 'running', 'succeeded', 'failed', 'stale']);
  });
});

describe('connection transitions', () => {
  const cases = CONNECTION_STATUSES.flatMap((from) =>
    connectionTransitions.map((transition) => ({ from, transition, to: CONNECTION_TABLE[transition][from] ?? null })),
  );

  it.each(cases)('$from --$transition--> $to (null: refused)', async ({ from, transition, to }) => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, values: { status: from } });
    const result = await transitionConnection(transition, { connectionId, now: NOW }, { lastError: 'written' });

    const row = await connectionRow(connectionId);
    if (to === null) {
      expect(result).toEqual({ applied: false });
      expect(row).toMatchObject({ status: from, lastError: null });
    } else {
      expect(result).toEqual({ applied: true });
      expect(row).toMatchObject({ status: to, lastError: 'written' });
    }
  });

  it.each(connectionTransitions)('a disconnected connection refuses %s', async (transition) => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({
      userId,
      values: { status: 'disabled', disconnectedAt: NOW },
    });
    expect(await transitionConnection(transition, { connectionId, now: NOW }, { lastError: 'written' })).toEqual({
      applied: false,
    });
    expect(await connectionRow(connectionId)).toMatchObject({ status: 'disabled', lastError: null });
  });

  it('new keys leave a rate limit that has not passed yet in place, and clear one that has', async () => {
    const userId = await createTestUser();
    const blocked = await createTestConnection({
      userId,
      values: { status: 'rate_limited', blockedUntil: new Date(NOW.getTime() + 5 * MINUTE) },
    });
    const passed = await createTestConnection({
      userId,
      values: { status: 'rate_limited', blockedUntil: new Date(NOW.getTime() - MINUTE) },
    });
    for (const connectionId of [blocked, passed]) {
      expect(await transitionConnection('keysReplaced', { connectionId, now: NOW })).toEqual({ applied: true });
    }
    expect((await connectionRow(blocked)).status).toBe('rate_limited');
    expect((await connectionRow(passed)).status).toBe('active');
  });

  it('only for its owner, and only when the extra condition holds', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, values: { status: 'error' } });
    const stranger = await createTestUser();
    expect(await transitionConnection('syncSucceeded', { connectionId, userId: stranger })).toEqual({ applied: false });
    expect(
      await transitionConnection('syncSucceeded', { connectionId, where: eq(exchangeConnections.autoSync, false) }),
    ).toEqual({ applied: false });
    expect((await connectionRow(connectionId)).status).toBe('error');
    expect(await transitionConnection('syncSucceeded', { connectionId, userId })).toEqual({ applied: true });
  });

  it('an unknown connection is refused, not an error', async () => {
    expect(await transitionConnection('syncFailed', { connectionId: randomUUID() })).toEqual({ applied: false });
  });
});

describe('the transitions composed into the sync’s apply statement', () => {
  const result = { rows: [{ asset: 'BTC', wallet: 'spot', free: '1', used: '0', total: '1' }], warnings: [] };

  it('a disabled connection refuses the result: nothing is written, the run stays pending', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, values: { status: 'disabled' } });
    const [run] = await getDb()
      .insert(syncRuns)
      .values({ connectionId, userId, trigger: 'manual', status: 'running', startedAt: NOW })
      .returning({ id: syncRuns.id });

    const applying = applySyncResult({ connectionId, runId: run!.id, result });
    await expect(applying).rejects.toBeInstanceOf(SyncNotAppliedError);
    await expect(applying).rejects.toMatchObject({ reason: 'connection_disabled' });
    expect(await getDb().$count(holdings, eq(holdings.connectionId, connectionId))).toBe(0);
    expect(await connectionRow(connectionId)).toMatchObject({ status: 'disabled', lastSyncAt: null });
    expect((await runRow(run!.id)).status).toBe('running');
  });

  it.each(['error', 'needs_reauth', 'rate_limited'] as const)(
    'a %s connection becomes active and its queued run succeeded',
    async (status) => {
      const userId = await createTestUser();
      const connectionId = await createTestConnection({ userId, values: { status } });
      const [run] = await getDb()
        .insert(syncRuns)
        .values({ connectionId, userId, trigger: 'connect' })
        .returning({ id: syncRuns.id });
      await applySyncResult({ connectionId, runId: run!.id, result });
      expect((await connectionRow(connectionId)).status).toBe('active');
      expect((await runRow(run!.id)).status).toBe('succeeded');
    },
  );
});
