import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getDb, type Database } from '@/db';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { migrationsFolder } from '@/db/migrate';
import { exchangeConnections, syncRuns, users } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { sqlState } from '@/lib/testing/fixtures';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { setKeyring } from '@/lib/vault/keyring';
import { rowsOf } from './sql-rows';

// sync_runs.connection_id is a declared foreign key (migration 0007): the database, not each insert,
// keeps runs tied to live connections.
withTestDatabase();
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

async function runsOf(connectionIds: string[]) {
  return getDb().select({ id: syncRuns.id }).from(syncRuns).where(inArray(syncRuns.connectionId, connectionIds));
}

/** A finished run and a pending one, inserted as plain rows (no app code, no lock taken). */
async function insertRuns(connectionId: string, userId: string) {
  await getDb()
    .insert(syncRuns)
    .values([
      { connectionId, userId, trigger: 'manual', status: 'succeeded', finishedAt: new Date() },
      { connectionId, userId, trigger: 'scheduled' },
    ]);
}

describe('sync_runs.connection_id references exchange_connections', () => {
  it('deleting a connection deletes its runs and no other connection’s', async () => {
    const userId = await createTestUser();
    const [gone, kept] = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    await insertRuns(gone, userId);
    await insertRuns(kept, userId);

    await getDb().delete(exchangeConnections).where(eq(exchangeConnections.id, gone));
    expect(await runsOf([gone])).toEqual([]);
    expect(await runsOf([kept])).toHaveLength(2);
  });

  it('deleting a user deletes the runs of all their connections, and no other user’s', async () => {
    const [userId, otherUser] = [await createTestUser(), await createTestUser()];
    const connections = [await createTestConnection({ userId }), await createTestConnection({ userId })];
    const other = await createTestConnection({ userId: otherUser });
    for (const connectionId of connections) await insertRuns(connectionId, userId);
    await insertRuns(other, otherUser);

    await getDb().delete(users).where(eq(users.id, userId));
    expect(await runsOf(connections)).toEqual([]);
    expect(await runsOf([other])).toHaveLength(2);
  });

  it('the database refuses a run for a connection that does not exist', async () => {
    const userId = await createTestUser();
    const missing = randomUUID();
    const inserted = getDb().insert(syncRuns).values({ connectionId: missing, userId, trigger: 'manual' });
    const error: unknown = await inserted.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(sqlState(error)).toBe('23503'); // foreign_key_violation
    expect(await runsOf([missing])).toEqual([]);
  });

  it('the key is declared with ON DELETE CASCADE, and the trigger that stood in for it is gone', async () => {
    const keys = rowsOf<{ definition: string }>(
      await getDb().execute(sql`
        select pg_get_constraintdef(oid) as definition from pg_constraint
        where conrelid = 'sync_runs'::regclass and contype = 'f'`),
    );
    expect(keys).toEqual([
      { definition: 'FOREIGN KEY (connection_id) REFERENCES exchange_connections(id) ON DELETE CASCADE' },
    ]);
    const leftovers = rowsOf<{ name: string }>(
      await getDb().execute(sql`
        select tgname as name from pg_trigger where tgname = 'exchange_connections_delete_runs'
        union all
        select proname from pg_proc where proname = 'delete_runs_of_deleted_connections'`),
    );
    expect(leftovers).toEqual([]);
  });
});

/**
 * Migration 0007 on a database that ran 0000–0006 and holds data: applied on a fresh database of the
 * run's kind (PostgreSQL when DATABASE_URL is set, else PGlite), as a deployed server would apply it.
 */
describe('migration 0007 applies over 0006', () => {
  let folderBefore: string;
  beforeAll(() => {
    folderBefore = mkdtempSync(path.join(tmpdir(), 'coinsphere-migrations-'));
    cpSync(migrationsFolder, folderBefore, { recursive: true });
    const journalPath = path.join(folderBefore, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((entry) => entry.tag.startsWith('0007_'));
    expect(at).toBeGreaterThan(0);
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  });
  afterAll(() => rmSync(folderBefore, { recursive: true, force: true }));

  async function freshDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
    const serverUrl = inject('testServerUrl');
    if (!serverUrl) {
      const handle = openDatabase({ pgliteDir: 'memory://' });
      return { handle, drop: async () => {} };
    }
    const name = `coinsphere_test_migrations_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const handle = openDatabase({ url: url.toString() });
    return {
      handle,
      drop: async () => {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }

  async function migrate(handle: DatabaseHandle, migrationsFolder: string) {
    if (handle.kind === 'pglite') await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder });
    else await migratePostgres(handle.db as unknown as PostgresJsDatabase, { migrationsFolder });
  }

  it('keeps runs of live connections, deletes the orphans it would refuse, and cascades from then on', async () => {
    const { handle, drop } = await freshDatabase();
    try {
      const db: Database = handle.db;
      await migrate(handle, folderBefore);
      // Raw SQL throughout: the schema in db/schema.ts has columns later migrations add (users'
      // display_currency, sync_runs' event_id…), which a database at 0006 does not have.
      const [userId, portfolioId, connectionId, orphan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await db.execute(sql`insert into users (id, email, password_hash) values (${userId}::uuid, ${`m-${userId}@example.com`}, 'x')`);
      await db.execute(sql`
        insert into portfolios (id, user_id, name, is_default) values (${portfolioId}::uuid, ${userId}::uuid, 'Main', true)`);
      await db.execute(sql`
        insert into exchange_connections (id, user_id, portfolio_id, exchange_id, label)
        values (${connectionId}::uuid, ${userId}::uuid, ${portfolioId}::uuid, 'binance', 'Binance')`);
      // Before 0007 nothing refuses a run whose connection is gone.
      await db.execute(sql`
        insert into sync_runs (connection_id, user_id, trigger)
        values (${connectionId}::uuid, ${userId}::uuid, 'manual'), (${orphan}::uuid, ${userId}::uuid, 'manual')`);

      await migrate(handle, migrationsFolder);
      const left = await db.select({ connectionId: syncRuns.connectionId }).from(syncRuns);
      expect(left).toEqual([{ connectionId }]);
      await db.delete(users).where(eq(users.id, userId));
      expect(await db.$count(syncRuns)).toBe(0);
    } finally {
      await handle.close();
      await drop();
    }
  });
});
