// The activity page's bench for `npm run bench`: numbers, not assertions. Prints nothing.
// Issue 15's goal: with 100,000 entries, the first page and a page deep in (after 50,000 rows) within 2× of
// each other — keyset pagination seeks the (user_id, occurred_at, id) index instead of counting rows off.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { getDb, setDatabaseHandle, type Database } from '@/db';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { encodeActivityCursor } from '@/lib/history/activity-cursor';
import { activityPageQuery, priceExchanges, queryActivity } from '@/lib/history/activity-query';
import { rowsOf } from '@/lib/sync/sql-rows';
import { insertActivitySeries } from '@/lib/testing/activity-factory';
import { createTestConnections, createTestUsers } from '@/lib/testing/factories';
import { createTestDatabase } from '@/lib/testing/test-database';

const ENTRIES = 100_000;
const DEEP = 50_000;
const round = (n: number) => Math.round(n * 100) / 100;

/** Medians of `a` and `b` run alternately, so load from other processes falls on both alike. */
async function pairedMedianMs(a: () => Promise<unknown>, b: () => Promise<unknown>, runs: number) {
  await a();
  await b();
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [index, fn] of [a, b].entries()) {
      const start = performance.now();
      await fn();
      samples[index]!.push(performance.now() - start);
    }
  }
  const median = (values: number[]) => round([...values].sort((x, y) => x - y)[Math.floor(runs / 2)]!);
  return [median(samples[0]), median(samples[1])] as const;
}

/** A user with `ENTRIES` entries on two connections, and a neighbour with as many (the index holds both). */
async function seed(db: Database) {
  const [userId, neighbourId] = await createTestUsers(db, 2, { emailPrefix: 'bench-activity' });
  const [kraken, binance, neighbours] = await createTestConnections(db, [
    { userId: userId!, exchangeId: 'kraken', credentials: null },
    { userId: userId!, exchangeId: 'binance', credentials: null },
    { userId: neighbourId!, exchangeId: 'kraken', credentials: null },
  ]);
  const newest = new Date();
  await insertActivitySeries(db, { userId: userId!, connectionId: kraken!, count: ENTRIES / 2, newest });
  await insertActivitySeries(db, {
    userId: userId!,
    connectionId: binance!,
    count: ENTRIES / 2,
    newest: new Date(newest.getTime() - 30_000),
  });
  await insertActivitySeries(db, { userId: neighbourId!, connectionId: neighbours!, count: ENTRIES, newest });
  // An hourly BTC price for the whole span, so every entry is valued (the page prices its 50 rows).
  await db.execute(sql`
    insert into price_history (asset, exchange_id, hour, usd)
    select 'BTC', 'kraken', date_trunc('hour', now()) - make_interval(hours => h), 60000 + h
    from generate_series(0, ${Math.ceil(ENTRIES / 2 / 60) + 2}) h`);
  await db.execute(sql`analyze`);
  return { userId: userId!, kraken: kraken! };
}

/** The cursor a reader holds after paging past `offset` rows (what 1,000 clicks on Older would leave them). */
async function cursorAfter(db: Database, userId: string, offset: number, filter = sql``): Promise<string> {
  const [row] = rowsOf<{ occurred_key: string; id: string }>(
    await db.execute(sql`
      select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_key, id
      from activity_entries where user_id = ${userId}::uuid ${filter}
      order by occurred_at desc, id desc offset ${offset - 1} limit 1`),
  );
  return encodeActivityCursor({ direction: 'older', occurredAt: row!.occurred_key, id: row!.id });
}

async function firstVersusDeep(db: Database, userId: string, params: Record<string, string>, deep: string) {
  const load = async (extra: Record<string, string>) => {
    const result = await queryActivity(userId, { ...params, ...extra }, { db });
    if (!result.ok || result.page.entries.length === 0) throw new Error('bench: the activity page answered nothing');
  };
  const [firstMs, deepMs] = await pairedMedianMs(
    () => load({}),
    () => load({ cursor: deep }),
    21,
  );
  return { firstPageMs: firstMs, deepPageMs: deepMs, ratio: round(deepMs / firstMs), goalRatio: 2 };
}

export async function activityBenchmarks() {
  const serverUrl = process.env.DATABASE_URL?.trim();
  const own = serverUrl ? await createTestDatabase(serverUrl, 'coinsphere_bench') : undefined;
  const handle: DatabaseHandle = own ? openDatabase({ url: own.url }) : openDatabase({ pgliteDir: 'memory://' });
  if (!own) await migrateDatabase(handle);
  setDatabaseHandle(handle);
  const db = getDb();
  try {
    const { userId, kraken } = await seed(db);
    const deepCursor = await cursorAfter(db, userId, DEEP);
    const plan = JSON.stringify(
      rowsOf(
        await db.execute(
          sql`explain (format json) ${activityPageQuery({
            userId,
            filters: {},
            cursor: { direction: 'older', occurredAt: '2000-01-01T00:00:00.000000Z', id: userId },
            limit: 50,
            currency: 'USD',
            exchanges: await priceExchanges(userId, db),
            timeZone: null,
          })}`,
        ),
      ),
    );
    return {
      database: handle.kind,
      entries: ENTRIES,
      deepAfterRows: DEEP,
      deepPageUsesUserTimeIndex: plan.includes('activity_entries_user_time_idx'),
      unfiltered: await firstVersusDeep(db, userId, {}, deepCursor),
      // One connection's deposits (every tenth entry): the index range is read further to fill a page.
      filteredByConnectionAndKind: await firstVersusDeep(
        db,
        userId,
        { connection: kraken, kind: 'deposit' },
        await cursorAfter(db, userId, 2_500, sql`and connection_id = ${kraken}::uuid and kind = 'deposit'`),
      ),
    };
  } finally {
    setDatabaseHandle(undefined);
    await handle.close();
    await own?.drop();
  }
}

// `npx tsx --conditions=react-server bench/activity.ts` runs this bench alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.info(JSON.stringify(await activityBenchmarks(), null, 2));
}
