// One page, one transaction: entries, cursor, counts and discovered streams are written together or
// not at all. Real database (PGlite, or PostgreSQL with DATABASE_URL).
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { activityEntries, exchangeConnections, historyImports, historyStreams } from '@/db/schema';
import type { ActivityEntry, HistoryPage } from '@/lib/exchanges/history/types';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { MalformedHistoryError } from './entries';
import { ensureImportRow } from './import-page';
import { storeHistoryPage } from './store-page';

withTestDatabase();
beforeAll(() => useTestKeyring());

const deposit = (id: string, amount = '1.5'): ActivityEntry => ({
  kind: 'deposit',
  externalId: id,
  occurredAt: new Date('2024-03-05T10:00:00Z'),
  asset: 'BTC',
  amount,
  status: 'ok',
});

async function connectionWithStream(stream = 'ledger') {
  const userId = await createTestUser();
  const connectionId = await createTestConnection({ userId, exchangeId: 'kraken' });
  await ensureImportRow(getDb(), { connectionId, userId, exchangeId: 'kraken' }, 'running');
  await getDb().insert(historyStreams).values({ connectionId, userId, stream });
  return { connectionId, userId, stream };
}

const page = (entries: ActivityEntry[], extra: Partial<HistoryPage> = {}): HistoryPage => ({
  entries,
  cursor: { ofs: entries.length },
  done: false,
  ...extra,
});

async function state(connectionId: string) {
  const entries = await getDb()
    .select({ id: activityEntries.externalId })
    .from(activityEntries)
    .where(eq(activityEntries.connectionId, connectionId));
  const streams = await getDb()
    .select()
    .from(historyStreams)
    .where(eq(historyStreams.connectionId, connectionId))
    .orderBy(historyStreams.stream);
  return { entries: entries.map((e) => e.id).sort(), streams };
}

describe('storeHistoryPage', () => {
  it('stores entries, cursor, count, covered-from, backfilled and discovered streams together', async () => {
    const owner = await connectionWithStream();
    const stored = await storeHistoryPage(getDb(), {
      ...owner,
      mode: 'backfill',
      readFrom: null,
      page: page([deposit('a'), deposit('b'), deposit('a')], {
        done: true,
        cursor: { ofs: 2 },
        coveredFrom: new Date('2024-03-01T00:00:00Z'),
        discoveredStreams: ['trades:BTC/USD'],
      }),
      now: new Date(),
    });
    expect(stored).toEqual({ status: 'stored', added: 2, discovered: 1 });
    const after = await state(owner.connectionId);
    expect(after.entries).toEqual(['a', 'b']);
    expect(after.streams).toMatchObject([
      { stream: 'ledger', cursor: { ofs: 2 }, entries: 2, backfilled: true, source: 'default' },
      { stream: 'trades:BTC/USD', cursor: null, entries: 0, backfilled: false, source: 'discovered' },
    ]);
    expect(after.streams[0]!.coveredFrom?.toISOString()).toBe('2024-03-01T00:00:00.000Z');

    // The same page again (a retried step): nothing is added twice, and the stream moved on, so nothing at all.
    const again = await storeHistoryPage(getDb(), {
      ...owner,
      mode: 'backfill',
      readFrom: null,
      page: page([deposit('a'), deposit('b')]),
      now: new Date(),
    });
    expect(again).toEqual({ status: 'moved' });
    expect((await state(owner.connectionId)).streams[0]).toMatchObject({ cursor: { ofs: 2 }, entries: 2 });
  });

  it('a page with one bad entry writes nothing: no entry, no cursor', async () => {
    const owner = await connectionWithStream();
    await expect(
      storeHistoryPage(getDb(), {
        ...owner,
        mode: 'backfill',
        readFrom: null,
        page: page([deposit('ok-1'), deposit('bad', '1e-8'), deposit('ok-2')]),
        now: new Date(),
      }),
    ).rejects.toBeInstanceOf(MalformedHistoryError);
    const after = await state(owner.connectionId);
    expect(after.entries).toEqual([]);
    expect(after.streams[0]).toMatchObject({ cursor: null, entries: 0, backfilled: false });
  });

  it('a page that fails in the database part way rolls back its entries and cursor', async () => {
    const owner = await connectionWithStream();
    // The database refuses one entry of the second insert statement (600 entries are two): a fault
    // only the database sees, after the first 500 were inserted in the same transaction.
    await getDb().execute(sql`
      create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.external_id = 'poison' then raise exception 'refused by the test'; end if;
        return new;
      end $$`);
    await getDb().execute(sql`
      create trigger refuse_poison before insert on activity_entries
      for each row execute function refuse_poison()`);
    try {
      const entries = Array.from({ length: 600 }, (_, i) => deposit(i === 550 ? 'poison' : `bulk-${i}`));
      await expect(
        storeHistoryPage(getDb(), { ...owner, mode: 'backfill', readFrom: null, page: page(entries), now: new Date() }),
      ).rejects.toThrow();
    } finally {
      await getDb().execute(sql`drop trigger refuse_poison on activity_entries`);
    }
    const after = await state(owner.connectionId);
    expect(after.entries).toEqual([]);
    expect(after.streams[0]).toMatchObject({ cursor: null, entries: 0 });
  });

  it('writes nothing for a connection disconnected meanwhile', async () => {
    const owner = await connectionWithStream();
    await getDb()
      .update(exchangeConnections)
      .set({ disconnectedAt: new Date() })
      .where(eq(exchangeConnections.id, owner.connectionId));
    const stored = await storeHistoryPage(getDb(), {
      ...owner,
      mode: 'backfill',
      readFrom: null,
      page: page([deposit('late')]),
      now: new Date(),
    });
    expect(stored).toEqual({ status: 'disconnected' });
    expect((await state(owner.connectionId)).entries).toEqual([]);
  });

  it('writes nothing under another user’s id', async () => {
    const owner = await connectionWithStream();
    const stranger = await createTestUser();
    const stored = await storeHistoryPage(getDb(), {
      ...owner,
      userId: stranger,
      mode: 'backfill',
      readFrom: null,
      page: page([deposit('theirs')]),
      now: new Date(),
    });
    expect(stored).toEqual({ status: 'disconnected' });
    expect((await state(owner.connectionId)).entries).toEqual([]);
    const [imported] = await getDb()
      .select()
      .from(historyImports)
      .where(eq(historyImports.connectionId, owner.connectionId));
    expect(imported).toMatchObject({ state: 'running', userId: owner.userId });
  });
});
