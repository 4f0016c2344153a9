import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns, users } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { setKeyring } from '@/lib/vault/keyring';
import { backoffSeconds } from './backoff';
import { rowsOf } from './sql-rows';
import { recordSyncFailure } from './record-failure';
import {
  cancelQueuedRun,
  ConnectionNotFoundError,
  enqueueRun,
  enqueueRunsForUser,
  markRunFailed,
  markStaleRuns,
} from './runs';
import { claimDueConnections } from './schedule';
import {
  createTestConnection,
  createTestUser,
  recordingDatabase,
  useTestKeyring,
  type ConnectionValues,
} from '@/lib/testing/factories';

// The scheduler and the stale sweep scan whole tables: this file gets a database of its own.
const database = withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

const NOW = new Date('2030-06-01T12:00:00Z');
const MINUTE = 60_000;
const minutesFrom = (at: Date, minutes: number) => new Date(at.getTime() + minutes * MINUTE);

async function runsOf(connectionId: string) {
  return getDb().select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
}

async function nextSyncAt(connectionId: string) {
  const [row] = await getDb()
    .select({ at: exchangeConnections.nextSyncAt })
    .from(exchangeConnections)
    .where(eq(exchangeConnections.id, connectionId));
  return row?.at ?? null;
}

async function setRun(runId: string, values: Partial<typeof syncRuns.$inferInsert>) {
  await getDb().update(syncRuns).set(values).where(eq(syncRuns.id, runId));
}

describe('enqueueRun', () => {
  it('returns the pending run on a second call instead of a new one', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const first = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    const second = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    expect(first.created).toBe(true);
    // A queued run says since when it waits, so Sync now can re-send one Inngest's singleton skipped.
    expect(second).toEqual({ runId: first.runId, created: false, waiting: expect.any(Date) });

    await setRun(first.runId, { status: 'running', startedAt: new Date() });
    expect(await enqueueRun({ connectionId, userId, trigger: 'scheduled' })).toEqual({
      runId: first.runId,
      created: false,
    });
    await setRun(first.runId, { status: 'succeeded', finishedAt: new Date() });
    const third = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    expect(third.created).toBe(true);
    expect(third.runId).not.toBe(first.runId);
  });

  it('gives every racing caller the same single run', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => enqueueRun({ connectionId, userId, trigger: 'manual' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    expect(await runsOf(connectionId)).toHaveLength(1);
  });

  it('refuses another user’s connection and a disconnected one, and never reveals their pending run', async () => {
    const owner = await createTestUser();
    const stranger = await createTestUser();
    const connectionId = await createTestConnection({ userId: owner });
    await enqueueRun({ connectionId, userId: owner, trigger: 'manual' });
    await expect(enqueueRun({ connectionId, userId: stranger, trigger: 'manual' })).rejects.toBeInstanceOf(
      ConnectionNotFoundError,
    );

    const gone = await createTestConnection({ userId: owner, values: { disconnectedAt: new Date() } });
    await expect(enqueueRun({ connectionId: gone, userId: owner, trigger: 'manual' })).rejects.toBeInstanceOf(
      ConnectionNotFoundError,
    );
    expect(await runsOf(gone)).toHaveLength(0);
  });
});

describe('enqueueRunsForUser', () => {
  it('queues every connection that can sync and returns pending runs as they are', async () => {
    const userId = await createTestUser();
    const fresh = await createTestConnection({ userId });
    const busy = await createTestConnection({ userId });
    const failing = await createTestConnection({ userId, values: { status: 'error' } });
    const manual = await createTestConnection({ userId, values: { autoSync: false } });
    const refused = await createTestConnection({ userId, values: { status: 'needs_reauth' } });
    const disabled = await createTestConnection({ userId, values: { status: 'disabled' } });
    const gone = await createTestConnection({ userId, values: { disconnectedAt: new Date() } });
    const otherUsers = await createTestConnection({ userId: await createTestUser() });
    const pending = await enqueueRun({ connectionId: busy, userId, trigger: 'manual' });

    const runs = await enqueueRunsForUser(userId, 'sync_all');
    const byConnection = new Map(runs.map((run) => [run.connectionId, run]));
    expect([...byConnection.keys()].sort()).toEqual([fresh, busy, failing, manual].sort());
    expect(byConnection.get(busy)).toEqual({
      connectionId: busy,
      runId: pending.runId,
      exchangeId: 'binance',
      created: false,
    });
    for (const id of [fresh, failing, manual]) expect(byConnection.get(id)?.created).toBe(true);
    for (const id of [refused, disabled, gone, otherUsers]) expect(await runsOf(id)).toHaveLength(0);
    const [created] = await runsOf(fresh);
    expect(created).toMatchObject({ trigger: 'sync_all', status: 'queued', userId });

    const again = await enqueueRunsForUser(userId, 'sync_all');
    expect(again.every((run) => !run.created)).toBe(true);
    expect(again).toHaveLength(4);
  });
});

describe('run endings', () => {
  it('cancelQueuedRun deletes a queued run only', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const queued = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    await cancelQueuedRun(queued.runId);
    expect(await runsOf(connectionId)).toHaveLength(0);

    const running = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    await setRun(running.runId, { status: 'running', startedAt: new Date() });
    await cancelQueuedRun(running.runId);
    expect(await runsOf(connectionId)).toMatchObject([{ id: running.runId, status: 'running' }]);
  });

  it('markRunFailed fails a pending run and leaves a finished one alone', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    await setRun(runId, { status: 'running', startedAt: new Date() });
    await markRunFailed(runId, { kind: 'transient', message: 'x'.repeat(2000) });
    const [failed] = await runsOf(connectionId);
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'transient' });
    expect(failed!.finishedAt).toBeInstanceOf(Date);
    expect(failed!.error!.length).toBeLessThanOrEqual(500);

    const done = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    await setRun(done.runId, { status: 'succeeded', finishedAt: new Date() });
    await markRunFailed(done.runId, { kind: 'other', message: 'late' });
    expect((await runsOf(connectionId)).find((r) => r.id === done.runId)).toMatchObject({
      status: 'succeeded',
      error: null,
    });
  });

  it('markStaleRuns frees connections whose run has been running for over 10 minutes', async () => {
    // Real time: other tests' runs were queued just now and must not count as lost.
    const now = new Date();
    const userId = await createTestUser();
    const [stuck, slow, lost, waiting] = await Promise.all([0, 1, 2, 3].map(() => createTestConnection({ userId })));
    const runIds = await Promise.all(
      [stuck!, slow!, lost!, waiting!].map(
        async (connectionId) => (await enqueueRun({ connectionId, userId, trigger: 'manual' })).runId,
      ),
    );
    await setRun(runIds[0]!, { status: 'running', startedAt: minutesFrom(now, -11) });
    await setRun(runIds[1]!, { status: 'running', startedAt: minutesFrom(now, -5) });
    await setRun(runIds[2]!, { queuedAt: minutesFrom(now, -25 * 60) });
    await setRun(runIds[3]!, { queuedAt: minutesFrom(now, -60) });

    expect(await markStaleRuns({ now })).toBe(2);
    const statuses = await getDb()
      .select({ id: syncRuns.id, status: syncRuns.status, finishedAt: syncRuns.finishedAt })
      .from(syncRuns)
      .where(inArray(syncRuns.id, runIds));
    const statusOf = (runId: string) => statuses.find((s) => s.id === runId)!;
    expect(statusOf(runIds[0]!)).toEqual({ id: runIds[0], status: 'stale', finishedAt: now });
    expect(statusOf(runIds[1]!).status).toBe('running');
    expect(statusOf(runIds[2]!).status).toBe('stale');
    expect(statusOf(runIds[3]!).status).toBe('queued');
    expect(await markStaleRuns({ now })).toBe(0);
    expect(await markStaleRuns({ now, olderThanMs: 4 * MINUTE })).toBe(1);

    // The stale run no longer holds the connection's pending slot.
    expect((await enqueueRun({ connectionId: stuck!, userId, trigger: 'manual' })).created).toBe(true);
  });
});

describe('claimDueConnections', () => {
  let userId: string;
  const due = (values: ConnectionValues = {}) =>
    createTestConnection({ userId, values: { nextSyncAt: minutesFrom(NOW, -1), ...values } });

  beforeEach(async () => {
    await getDb().delete(exchangeConnections);
    userId = await createTestUser();
  });

  /** `count` due connections: one made the normal way, then copies of it, set-based. */
  async function dueConnections(count: number) {
    await due();
    await getDb().execute(sql`
      insert into exchange_connections (id, user_id, portfolio_id, exchange_id, label, next_sync_at)
      select gen_random_uuid(), ${userId}::uuid, c.portfolio_id, 'kraken', 'Bulk ' || n, c.next_sync_at
      from exchange_connections c, generate_series(1, ${count - 1}) as n`);
  }

  it('queues a scheduled run for each due connection and skips those that may not sync', async () => {
    const ready = await due();
    const longDue = await due({ nextSyncAt: minutesFrom(NOW, -600), syncIntervalSeconds: 3600 });
    const failing = await due({ status: 'error', consecutiveFailures: 2 });
    const unblocked = await due({ status: 'rate_limited', blockedUntil: minutesFrom(NOW, -1) });
    const skipped = {
      notYetDue: await due({ nextSyncAt: minutesFrom(NOW, 1) }),
      neverScheduled: await due({ nextSyncAt: null }),
      needsReauth: await due({ status: 'needs_reauth' }),
      disabled: await due({ status: 'disabled' }),
      disconnected: await due({ disconnectedAt: minutesFrom(NOW, -2) }),
      blocked: await due({ status: 'rate_limited', blockedUntil: minutesFrom(NOW, 5) }),
      autoSyncOff: await due({ autoSync: false }),
      alreadyPending: await due(),
    };
    const pending = await enqueueRun({ connectionId: skipped.alreadyPending, userId, trigger: 'manual' });

    const claimed = await claimDueConnections({ now: NOW });
    expect(claimed.map((c) => c.connectionId).sort()).toEqual([ready, longDue, failing, unblocked].sort());
    for (const claim of claimed) {
      expect(Object.keys(claim).sort()).toEqual(['connectionId', 'exchangeId', 'runId']);
      expect(claim.exchangeId).toBe('binance');
      expect(await runsOf(claim.connectionId)).toMatchObject([
        { id: claim.runId, trigger: 'scheduled', status: 'queued' },
      ]);
    }
    expect(await nextSyncAt(ready)).toEqual(minutesFrom(NOW, 5));
    expect(await nextSyncAt(longDue)).toEqual(minutesFrom(NOW, 60));
    expect(await nextSyncAt(skipped.notYetDue)).toEqual(minutesFrom(NOW, 1));
    expect(await runsOf(skipped.alreadyPending)).toEqual([expect.objectContaining({ id: pending.runId })]);
    // Moved forward all the same, so the scheduler does not look at it again every minute.
    expect(await nextSyncAt(skipped.alreadyPending)).toEqual(minutesFrom(NOW, 5));
    for (const id of Object.values(skipped).filter((id) => id !== skipped.alreadyPending)) {
      expect(await runsOf(id)).toHaveLength(0);
    }

    // The same minute again (a repeated or slow cron): nothing new.
    expect(await claimDueConnections({ now: NOW })).toEqual([]);
    // Ten minutes on: the not-yet-due and the no-longer-blocked connections; those with a pending run get none.
    const later = await claimDueConnections({ now: minutesFrom(NOW, 10) });
    expect(later.map((c) => c.connectionId).sort()).toEqual([skipped.notYetDue, skipped.blocked].sort());
  });

  it('claims a page in one statement, whatever its size', async () => {
    for (let i = 0; i < 40; i++) await due();
    const small = recordingDatabase(database.handle());
    expect(await claimDueConnections({ now: NOW, limit: 5 }, small.db)).toHaveLength(5);
    const large = recordingDatabase(database.handle());
    expect(await claimDueConnections({ now: NOW, limit: 30 }, large.db)).toHaveLength(30);
    expect(small.statements).toHaveLength(1);
    expect(large.statements).toHaveLength(1);
  });

  it('pages through due connections, oldest first, until a short page', async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await due({ nextSyncAt: minutesFrom(NOW, -10 + i) }));
    const pages: string[][] = [];
    for (;;) {
      const page = await claimDueConnections({ now: NOW, limit: 3 });
      pages.push(page.map((c) => c.connectionId));
      if (page.length < 3) break;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => [...p].sort())).toEqual([ids.slice(0, 3).sort(), ids.slice(3, 6).sort(), [ids[6]]]);
  });

  it('claims more in place of connections that already have a pending run, so a short page means none left', async () => {
    const busy = [];
    for (let i = 0; i < 3; i++) {
      const connectionId = await due({ nextSyncAt: minutesFrom(NOW, -100 + i) });
      await enqueueRun({ connectionId, userId, trigger: 'manual' });
      busy.push(connectionId);
    }
    const idle = [];
    for (let i = 0; i < 4; i++) idle.push(await due({ nextSyncAt: minutesFrom(NOW, -50 + i) }));

    const first = await claimDueConnections({ now: NOW, limit: 3 });
    expect(first.map((c) => c.connectionId).sort()).toEqual(idle.slice(0, 3).sort());
    const second = await claimDueConnections({ now: NOW, limit: 3 });
    expect(second.map((c) => c.connectionId)).toEqual([idle[3]]);
    for (const id of busy) expect(await runsOf(id)).toHaveLength(1);
  });

  it('never enqueues twice across concurrent callers', async () => {
    await dueConnections(400);
    expect(await getDb().$count(exchangeConnections)).toBe(400);

    const drain = async () => {
      const mine: string[] = [];
      for (;;) {
        const page = await claimDueConnections({ now: NOW, limit: 25 });
        mine.push(...page.map((c) => c.connectionId));
        if (page.length < 25) return mine;
      }
    };
    const [a, b, c] = await Promise.all([drain(), drain(), drain()]);
    const all = [...a, ...b, ...c];
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    expect(await getDb().$count(syncRuns, eq(syncRuns.trigger, 'scheduled'))).toBe(400);
  });

  it('splits a page between parallel claimers that never take the same connection', async () => {
    await dueConnections(105);

    const pages: number[] = [];
    const claimed: string[] = [];
    for (;;) {
      const page = await claimDueConnections({ now: NOW, limit: 25, parallel: 3 });
      pages.push(page.length);
      claimed.push(...page.map((c) => c.connectionId));
      if (page.length < 25) break;
    }
    // 105 due: four full pages of 25 (shares 8 + 8 + 9), then the last 5.
    expect(pages).toEqual([25, 25, 25, 25, 5]);
    expect(new Set(claimed).size).toBe(105);
    expect(await getDb().$count(syncRuns, eq(syncRuns.trigger, 'scheduled'))).toBe(105);
  });

  it('backs off a failing connection’s schedule: the interval doubles per failure, capped at 24 hours', async () => {
    const connectionId = await due({ syncIntervalSeconds: 600 });
    const delays: number[] = [];
    for (let failures = 1; failures <= 10; failures++) {
      const [claim] = await claimDueConnections({ now: NOW });
      const failedAt = NOW;
      await setRun(claim!.runId, { status: 'running', startedAt: failedAt });
      await recordSyncFailure({ connectionId, runId: claim!.runId, kind: 'transient', message: 'down', now: failedAt });
      await setRun(claim!.runId, { status: 'failed', finishedAt: failedAt });
      const next = await nextSyncAt(connectionId);
      delays.push((next!.getTime() - failedAt.getTime()) / 1000);
      expect(delays.at(-1)).toBe(backoffSeconds(600, failures));

      // Not due before the backed-off time, due at it.
      expect(await claimDueConnections({ now: new Date(next!.getTime() - 1000) })).toEqual([]);
      await getDb()
        .update(exchangeConnections)
        .set({ nextSyncAt: minutesFrom(NOW, -1) })
        .where(and(eq(exchangeConnections.id, connectionId)));
    }
    expect(delays).toEqual([1200, 2400, 4800, 9600, 19200, 38400, 76800, 86400, 86400, 86400]);
  });

  it('does not schedule a connection whose keys were refused until they are updated', async () => {
    const connectionId = await due();
    const [claim] = await claimDueConnections({ now: NOW });
    await setRun(claim!.runId, { status: 'running', startedAt: NOW });
    await recordSyncFailure({ connectionId, runId: claim!.runId, kind: 'auth', message: 'refused', now: NOW });
    expect(await nextSyncAt(connectionId)).toBeNull();
    expect(await claimDueConnections({ now: minutesFrom(NOW, 60 * 24 * 365) })).toEqual([]);
  });
});

describe('storage', () => {
  it('the tables every sync rewrites keep free room on their pages (fillfactor)', async () => {
    const options = rowsOf<{ relname: string; reloptions: string[] | null }>(
      await getDb().execute(sql`
        select relname, reloptions from pg_class
        where relname in ('exchange_connections', 'holdings', 'balance_history') order by relname`),
    );
    expect(options).toEqual([
      { relname: 'balance_history', reloptions: ['fillfactor=80'] },
      { relname: 'exchange_connections', reloptions: ['fillfactor=50'] },
      { relname: 'holdings', reloptions: ['fillfactor=50'] },
    ]);
  });
});

// sync_runs.connection_id is a foreign key with ON DELETE CASCADE (migration 0007, tested on its own in
// integrity.db.test.ts). These tests hold the app to more than the key: a deleted connection's runs go with
// it, and an insert racing a deletion waits on the connection's lock and ends in ConnectionNotFoundError
// or no run, never in the key's error.
describe('runs follow their connection', () => {
  async function allRunsOf(connectionIds: string[]) {
    return getDb().select({ id: syncRuns.id }).from(syncRuns).where(inArray(syncRuns.connectionId, connectionIds));
  }

  it('deleting a connection deletes its runs, finished and pending, and no other connection’s', async () => {
    const userId = await createTestUser();
    const [gone, kept] = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    const finished = await enqueueRun({ connectionId: gone, userId, trigger: 'manual' });
    await setRun(finished.runId, { status: 'succeeded', finishedAt: NOW });
    await enqueueRun({ connectionId: gone, userId, trigger: 'manual' });
    const other = await enqueueRun({ connectionId: kept, userId, trigger: 'manual' });
    expect(await allRunsOf([gone])).toHaveLength(2);

    await getDb().delete(exchangeConnections).where(eq(exchangeConnections.id, gone));
    expect(await allRunsOf([gone])).toEqual([]);
    expect(await allRunsOf([kept])).toEqual([{ id: other.runId }]);
  });

  it('deleting a user deletes the runs of all their connections', async () => {
    const userId = await createTestUser();
    const connections = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    await enqueueRunsForUser(userId, 'sync_all');
    expect(await allRunsOf(connections)).toHaveLength(2);

    await getDb().delete(users).where(eq(users.id, userId));
    expect(await allRunsOf(connections)).toEqual([]);
  });
});
