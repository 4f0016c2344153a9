import { InngestTestEngine } from '@inngest/test';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';
import { pruneSyncRuns } from './functions/prune-sync-runs';

// The real batches on a real database, with small batches, two ranges and a step budget set per test.
const limits = vi.hoisted(() => ({ maxBatches: 900 }));
vi.mock('@/lib/sync/prune-runs', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/sync/prune-runs')>()),
  PRUNE_SLICES: 2,
  PRUNE_BATCH_SIZE: 5,
  get PRUNE_MAX_BATCHES() {
    return limits.maxBatches;
  },
}));

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));
beforeEach(async () => {
  limits.maxBatches = 900;
  await getDb().delete(exchangeConnections);
});

const DAY = 24 * 60 * 60 * 1000;
const cronEvent = { name: 'inngest/scheduled.timer', data: { cron: 'TZ=UTC 30 3 * * *' } };

/** A connection with 50 + `old` finished runs, all 40 days old: `old` of them are to be pruned. */
async function connectionWithOldRuns(old: number, firstHexDigit: '0-7' | '8-f'): Promise<string> {
  const userId = await createTestUser();
  let connectionId: string;
  // Ids are random: draw until one falls in the wanted half (slice 0 or 1 of 2).
  do connectionId = await createTestConnection({ userId });
  while (Number.parseInt(connectionId[0]!, 16) < 8 !== (firstHexDigit === '0-7'));
  const newest = Date.now() - 40 * DAY;
  await getDb()
    .insert(syncRuns)
    .values(
      Array.from({ length: 50 + old }, (_, i) => ({
        connectionId,
        userId,
        trigger: 'scheduled' as const,
        status: 'succeeded' as const,
        queuedAt: new Date(newest - i * 60_000),
      })),
    );
  return connectionId;
}

const runCount = (connectionId: string) => getDb().$count(syncRuns, eq(syncRuns.connectionId, connectionId));

describe('prune-sync-runs', () => {
  it('prunes range by range, one step per batch, and every step output is a count', async () => {
    const [low, high] = [await connectionWithOldRuns(12, '0-7'), await connectionWithOldRuns(3, '8-f')];

    const { result, error, state } = await new InngestTestEngine({
      function: pruneSyncRuns,
      events: [cronEvent],
    }).execute();
    expect(error).toBeUndefined();
    // Range 0: 5, 5, 2 (short: next range); range 1: 3 (short: done).
    expect(result).toStrictEqual({ batches: 4, deleted: 15, continuedFromSlice: null });
    const outputs = await Promise.all(Object.values(state));
    expect(outputs).toStrictEqual([{ deleted: 5 }, { deleted: 5 }, { deleted: 2 }, { deleted: 3 }]);
    expect(await runCount(low)).toBe(50);
    expect(await runCount(high)).toBe(50);
  });

  it('hands the rest to a new run when its step budget is spent, and that run goes on from the same range', async () => {
    limits.maxBatches = 2;
    const low = await connectionWithOldRuns(3, '0-7');
    const high = await connectionWithOldRuns(12, '8-f');

    // Range 0: 3 (short); range 1: 5 (full), and the budget of two batches is spent.
    const first = await new InngestTestEngine({
      function: pruneSyncRuns,
      events: [cronEvent],
      steps: [{ id: 'continue', handler: () => ({ ids: ['continuation'] }) }],
    }).execute();
    expect(first.error).toBeUndefined();
    expect(first.result).toStrictEqual({ batches: 2, deleted: 8, continuedFromSlice: 1 });
    expect(vi.mocked(first.ctx.step.sendEvent).mock.calls).toEqual([
      ['continue', expect.objectContaining({ name: 'sync-runs/prune.requested', data: { fromSlice: 1 } })],
    ]);
    expect(await runCount(low)).toBe(50);
    expect(await runCount(high)).toBe(57);

    // Range 0 is not walked again by the continuation: a connection added there since keeps its old runs.
    const addedSince = await connectionWithOldRuns(4, '0-7');
    const second = await new InngestTestEngine({
      function: pruneSyncRuns,
      events: [{ name: 'sync-runs/prune.requested', data: { fromSlice: 1 } }],
    }).execute();
    expect(second.error).toBeUndefined();
    expect(second.result).toStrictEqual({ batches: 2, deleted: 7, continuedFromSlice: null });
    expect(await runCount(high)).toBe(50);
    expect(await runCount(addedSince)).toBe(54);
  });
});
