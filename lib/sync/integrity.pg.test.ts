// PostgreSQL only: the declared key between concurrent transactions. PGlite runs one transaction at a
// time, so there the race cannot happen and this check would pass without the key.
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { syncRuns } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { deleteInOpenTransaction, sqlState } from '@/lib/testing/fixtures';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';

withTestDatabase({ postgres: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

const runsOf = (connectionIds: string[]) =>
  getDb().select({ id: syncRuns.id }).from(syncRuns).where(inArray(syncRuns.connectionId, connectionIds));

describe('sync_runs.connection_id between concurrent transactions', () => {
  it('a run inserted while its connection is being deleted is refused once the deletion commits', async () => {
    // A plain insert, with none of the app's locks: the key's own check waits for the deletion.
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const deletion = await deleteInOpenTransaction(connectionId);
    const inserted = getDb()
      .insert(syncRuns)
      .values({ connectionId, userId, trigger: 'manual' })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await deletion.commit();
    expect(sqlState(await inserted)).toBe('23503');
    expect(await runsOf([connectionId])).toEqual([]);
  });
});
