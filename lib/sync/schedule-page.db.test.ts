import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { dispatch } from '@/lib/jobs/dispatch';
import { withTestDatabase } from '@/lib/testing/database';
import { setKeyring } from '@/lib/vault/keyring';
import { claimAndSendPage, SEND_BATCH_SIZE } from './schedule-page';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';

// Inngest's event API is the one thing stubbed here: the claim, the runs and the release are real.
vi.mock('@/lib/jobs/dispatch', () => ({ dispatch: vi.fn() }));

// Claims scan the whole table: this file gets a database of its own.
withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));
beforeEach(async () => {
  vi.resetAllMocks();
  await getDb().delete(exchangeConnections);
});

const NOW = new Date('2030-06-01T12:00:00Z');

/** `count` due connections of one user: one made the normal way, the rest copied from it, set-based. */
async function dueConnections(count: number) {
  const userId = await createTestUser();
  await createTestConnection({ userId, values: { nextSyncAt: new Date(NOW.getTime() - 60_000) } });
  await getDb().execute(sql`
    insert into exchange_connections (id, user_id, portfolio_id, exchange_id, label, next_sync_at)
    select gen_random_uuid(), c.user_id, c.portfolio_id, 'binance', 'Bulk ' || n, c.next_sync_at
    from exchange_connections c, generate_series(1, ${count - 1}) as n`);
}

type SentEvent = { name: string; id: string; data: Record<string, string> };
const sentBatches = () => vi.mocked(dispatch).mock.calls.map(([events]) => events as unknown as SentEvent[]);

async function queuedRuns() {
  return getDb()
    .select({ id: syncRuns.id, connectionId: syncRuns.connectionId })
    .from(syncRuns)
    .where(eq(syncRuns.status, 'queued'));
}

describe('claimAndSendPage', () => {
  it('sends one event per claimed run, in batches, with the run id as event id and ids only as data', async () => {
    await dueConnections(1500);
    vi.mocked(dispatch).mockResolvedValue({ ok: true, ids: [] });

    expect(await claimAndSendPage({ limit: 4000, parallel: 2, now: NOW })).toStrictEqual({ claimed: 1500 });
    const batches = sentBatches();
    expect(batches.map((batch) => batch.length)).toStrictEqual([SEND_BATCH_SIZE, 1500 - SEND_BATCH_SIZE]);
    const events = batches.flat();
    const runs = await queuedRuns();
    expect(runs).toHaveLength(1500);
    const runById = new Map(runs.map((run) => [run.id, run]));
    for (const event of events) {
      expect(event.name).toBe('connection/sync.requested');
      expect(Object.keys(event.data).sort()).toStrictEqual(['connectionId', 'exchangeId', 'runId']);
      expect(event.id).toBe(`sync-${event.data.runId}`);
      expect(runById.get(event.data.runId!)?.connectionId).toBe(event.data.connectionId);
    }
    expect(new Set(events.map((event) => event.data.runId)).size).toBe(1500);
  });

  it('releases the runs of a batch it could not send and throws; the next claim takes exactly those again', async () => {
    await dueConnections(1500);
    vi.mocked(dispatch)
      .mockResolvedValueOnce({ ok: true, ids: [] })
      .mockResolvedValueOnce({ ok: false, reason: 'timeout' });

    await expect(claimAndSendPage({ limit: 4000, parallel: 2, now: NOW })).rejects.toThrow(
      'Could not send 500 of 1500 scheduled syncs to Inngest; those connections are due again',
    );
    const [sent, unsent] = sentBatches();
    // The sent batch's runs stay queued (their events are on the way); the other batch's runs are gone.
    expect((await queuedRuns()).map((run) => run.id).sort()).toStrictEqual(
      sent!.map((event) => event.data.runId).sort(),
    );
    const released = unsent!.map((event) => event.data.connectionId!);
    const dueAgain = await getDb()
      .select({ id: exchangeConnections.id })
      .from(exchangeConnections)
      .where(sql`${exchangeConnections.nextSyncAt} <= ${NOW.toISOString()}::timestamptz`);
    expect(dueAgain.map((row) => row.id).sort()).toStrictEqual([...released].sort());

    vi.mocked(dispatch).mockReset().mockResolvedValue({ ok: true, ids: [] });
    expect(await claimAndSendPage({ limit: 4000, parallel: 2, now: NOW })).toStrictEqual({ claimed: 500 });
    expect(
      sentBatches()
        .flat()
        .map((event) => event.data.connectionId)
        .sort(),
    ).toStrictEqual([...released].sort());
    expect(await queuedRuns()).toHaveLength(1500);
  });
});
