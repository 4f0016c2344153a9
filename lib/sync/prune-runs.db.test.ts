import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { balanceHistory, exchangeConnections, syncRuns, type SyncStatus } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';
import { KEEP_LAST_RUNS, KEEP_RUNS_DAYS, pruneRunsBatch, sliceBounds } from './prune-runs';

// A batch walks every connection of its id range: this file gets a database of its own.
withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));
beforeEach(async () => {
  await getDb().delete(exchangeConnections);
});

const NOW = new Date('2030-06-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

/** `count` finished runs, one a minute, the newest queued at `newest`. Returns nothing: read them back by age. */
async function seedRuns(
  connectionId: string,
  userId: string,
  count: number,
  newest: Date,
  status: SyncStatus = 'succeeded',
) {
  await getDb()
    .insert(syncRuns)
    .values(
      Array.from({ length: count }, (_, i) => ({
        connectionId,
        userId,
        trigger: 'scheduled' as const,
        status,
        queuedAt: new Date(newest.getTime() - i * MINUTE),
      })),
    );
}

async function queuedAtOf(connectionId: string): Promise<Date[]> {
  const rows = await getDb()
    .select({ queuedAt: syncRuns.queuedAt })
    .from(syncRuns)
    .where(eq(syncRuns.connectionId, connectionId))
    .orderBy(asc(syncRuns.queuedAt));
  return rows.map((row) => row.queuedAt);
}

/** Batches over the whole id range until one comes back short; returns each batch's count. */
async function pruneAll(batchSize: number): Promise<number[]> {
  const counts: number[] = [];
  for (;;) {
    const { deleted } = await pruneRunsBatch({ slice: 0, slices: 1, batchSize, now: NOW });
    counts.push(deleted);
    if (deleted < batchSize) return counts;
    if (counts.length > 1000) throw new Error('pruning did not end');
  }
}

describe('pruneRunsBatch', () => {
  it('deletes old runs beyond a connection’s last 50 and keeps those 50, however old', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    await seedRuns(connectionId, userId, 80, daysAgo(40));
    const newest50 = (await queuedAtOf(connectionId)).slice(-KEEP_LAST_RUNS);

    expect(await pruneAll(1000)).toEqual([30]);
    expect(await queuedAtOf(connectionId)).toEqual(newest50);
  });

  it('keeps every run newer than 30 days, however many', async () => {
    const userId = await createTestUser();
    const [recent, mixed] = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    await seedRuns(recent, userId, 120, daysAgo(1));
    // 60 runs of the last day and 20 of 31 days ago: the 20 old ones go, none of the recent ones.
    await seedRuns(mixed, userId, 60, daysAgo(0));
    await seedRuns(mixed, userId, 20, daysAgo(KEEP_RUNS_DAYS + 1));
    // A run just inside the window stays.
    await seedRuns(mixed, userId, 1, new Date(daysAgo(KEEP_RUNS_DAYS).getTime() + MINUTE));

    expect(await pruneAll(1000)).toEqual([20]);
    expect(await queuedAtOf(recent)).toHaveLength(120);
    const left = await queuedAtOf(mixed);
    expect(left).toHaveLength(61);
    expect(left.every((at) => at > daysAgo(KEEP_RUNS_DAYS))).toBe(true);
  });

  it('never deletes a queued or running run, however old and however far from the last 50', async () => {
    const userId = await createTestUser();
    const [running, queued] = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    await seedRuns(running, userId, 1, daysAgo(100), 'running');
    await seedRuns(running, userId, 60, daysAgo(40));
    await seedRuns(queued, userId, 1, daysAgo(100), 'queued');
    await seedRuns(queued, userId, 60, daysAgo(40), 'failed');

    expect(await pruneAll(1000)).toEqual([20]);
    const pending = await getDb()
      .select({ status: syncRuns.status })
      .from(syncRuns)
      .where(sql`${syncRuns.status} in ('queued', 'running')`);
    expect(pending.map((run) => run.status).sort()).toEqual(['queued', 'running']);
    expect(await queuedAtOf(running)).toHaveLength(51);
    expect(await queuedAtOf(queued)).toHaveLength(51);
  });

  it('deletes at most a batch per call, and a short batch means nothing is left', async () => {
    const userId = await createTestUser();
    const connections = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    for (const connectionId of connections) await seedRuns(connectionId, userId, 50 + 23, daysAgo(35));

    // 46 to delete in batches of 7: six full batches, then a short one of 4, and the loop ends.
    expect(await pruneAll(7)).toEqual([7, 7, 7, 7, 7, 7, 4]);
    expect(await pruneAll(7)).toEqual([0]);
    for (const connectionId of connections) expect(await queuedAtOf(connectionId)).toHaveLength(50);
  });

  it('deletes only runs of its range’s connections', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    await seedRuns(connectionId, userId, 60, daysAgo(40));
    const slices = 4;
    const home = Number.parseInt(connectionId.slice(0, 1), 16) >> 2; // 16 hex values, 4 per slice
    for (let slice = 0; slice < slices; slice++) {
      const { deleted } = await pruneRunsBatch({ slice, slices, now: NOW });
      expect(deleted).toBe(slice === home ? 10 : 0);
    }
  });

  it('leaves the hourly balance history alone', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    await seedRuns(connectionId, userId, 60, daysAgo(40));
    await getDb()
      .insert(balanceHistory)
      .values(
        Array.from({ length: 48 }, (_, i) => ({
          connectionId,
          asset: 'BTC',
          hour: new Date(daysAgo(40).getTime() - i * 60 * MINUTE),
          total: '1',
        })),
      );

    expect(await pruneAll(1000)).toEqual([10]);
    expect(await getDb().$count(balanceHistory, eq(balanceHistory.connectionId, connectionId))).toBe(48);
  });
});

describe('sliceBounds', () => {
  it('splits the uuid space into adjacent ranges, the last one open', () => {
    expect(sliceBounds(0, 4)).toEqual({
      lower: '00000000-0000-0000-0000-000000000000',
      upper: '40000000-0000-0000-0000-000000000000',
    });
    expect(sliceBounds(3, 4)).toEqual({ lower: 'c0000000-0000-0000-0000-000000000000', upper: null });
    expect(sliceBounds(1, 64).lower).toBe(sliceBounds(0, 64).upper);
    expect(() => sliceBounds(0, 3)).toThrow(/divide/);
    expect(() => sliceBounds(4, 4)).toThrow(/out of range/);
  });
});
