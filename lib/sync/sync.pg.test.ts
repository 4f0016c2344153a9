// PostgreSQL only: row locks between concurrent connections. PGlite has one connection, so a writer
// there can never meet another's lock and these checks would pass with the lock removed.
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, holdings } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { balanceRow } from '@/lib/testing/fixtures';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';
import { enqueueRun } from './runs';
import { rowsOf } from './sql-rows';
import { applySyncResult } from './sync-connection';

withTestDatabase({ isolated: true, postgres: true });
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

async function holdingsOf(connectionId: string) {
  const rows = await getDb()
    .select({ asset: holdings.asset, wallet: holdings.wallet, total: holdings.total })
    .from(holdings)
    .where(eq(holdings.connectionId, connectionId))
    .orderBy(asc(holdings.wallet), asc(holdings.asset));
  return rows.map((row) => `${row.wallet}:${row.asset}=${row.total}`);
}

describe('applySyncResult against concurrent writers', () => {
  it('waits for the connection row lock held by another writer before writing anything', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = getDb().transaction(async (tx) => {
      await tx
        .select({ id: exchangeConnections.id })
        .from(exchangeConnections)
        .where(eq(exchangeConnections.id, connectionId))
        .for('update');
      locked();
      await released;
    });
    await lockTaken;

    let applied = false;
    const apply = applySyncResult({
      connectionId,
      runId,
      result: { rows: [balanceRow('BTC', '1')], warnings: [] },
    }).then(() => (applied = true));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(applied).toBe(false);
      // It waits on its first statement, the lock, before any write.
      const waiting = rowsOf<{ query: string }>(
        await getDb().execute(sql`
          select query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`),
      );
      expect(waiting).toHaveLength(1);
      expect(waiting[0]!.query).toMatch(/^select .* for update of "exchange_connections"/s);
    } finally {
      release();
    }
    await holder;
    await apply;
    expect(await holdingsOf(connectionId)).toEqual(['spot:BTC=1']);
  });
});
