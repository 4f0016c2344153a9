// PostgreSQL only: a run enqueued or claimed while its connection is being deleted. PGlite has one
// connection and runs one transaction at a time, so there these races cannot happen and the checks
// would pass with the locks removed.
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { deleteInOpenTransaction } from '@/lib/testing/fixtures';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';
import { ConnectionNotFoundError, enqueueRun, enqueueRunsForUser } from './runs';
import { claimDueConnections } from './schedule';
import { rowsOf } from './sql-rows';

// The scheduler scans whole tables: this file gets a database of its own.
withTestDatabase({ isolated: true, postgres: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

const NOW = new Date('2030-06-01T12:00:00Z');
const minutesFrom = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

describe('runs racing their connection’s deletion', () => {
  async function allRunsOf(connectionIds: string[]) {
    return getDb().select({ id: syncRuns.id }).from(syncRuns).where(inArray(syncRuns.connectionId, connectionIds));
  }

  async function lockWaiters() {
    return rowsOf<{ query: string }>(
      await getDb().execute(sql`
        select query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`),
    );
  }

  it('a Sync now racing the connection’s deletion waits for it and leaves no run behind', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const deletion = await deleteInOpenTransaction(connectionId);
    const enqueued = enqueueRun({ connectionId, userId, trigger: 'manual' }).then(
      () => 'queued',
      (error: unknown) => error,
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Blocked on the connection row's lock.
      const waiting = await lockWaiters();
      expect(waiting).toHaveLength(1);
      expect(waiting[0]!.query).toMatch(/insert into sync_runs.*for key share of c/s);
    } finally {
      // Even when the check fails: an open deletion would hold its locks into the next test.
      await deletion.commit();
    }
    expect(await enqueued).toBeInstanceOf(ConnectionNotFoundError);
    expect(await allRunsOf([connectionId])).toEqual([]);
  });

  it('Sync all racing a deletion leaves no run for the deleted connection', async () => {
    const userId = await createTestUser();
    const [gone, kept] = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    const deletion = await deleteInOpenTransaction(gone);
    const enqueued = enqueueRunsForUser(userId, 'sync_all');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await deletion.commit();
    expect((await enqueued).map((run) => run.connectionId)).toEqual([kept]);
    expect(await allRunsOf([gone])).toEqual([]);
  });

  it('the scheduler skips a connection being deleted and queues nothing for it', async () => {
    await getDb().delete(exchangeConnections);
    const userId = await createTestUser();
    const values = { nextSyncAt: minutesFrom(NOW, -1) };
    const [gone, kept] = [
      await createTestConnection({ userId, values }),
      await createTestConnection({ userId, values }),
    ];
    const deletion = await deleteInOpenTransaction(gone);
    const claimed = claimDueConnections({ now: NOW });
    try {
      // SKIP LOCKED: the claim does not wait for the deletion, it passes the row by.
      expect((await claimed).map((run) => run.connectionId)).toEqual([kept]);
    } finally {
      await deletion.commit();
    }
    expect(await allRunsOf([gone])).toEqual([]);
  });
});
