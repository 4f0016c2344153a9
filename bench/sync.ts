// Sync core benchmarks for `npm run bench`: numbers, not assertions. Prints nothing.
import { performance } from 'node:perf_hooks';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { getDb, setDatabaseHandle, type Database } from '@/db';
import { migrateDatabase } from '@/db/migrate';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { createTestDatabase } from '@/lib/testing/test-database';
import { syncRuns, users } from '@/db/schema';
import type { BalanceRow } from '@/lib/exchanges/types';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import { applySyncResult } from '@/lib/sync/apply-result';
import { enqueueRun } from '@/lib/sync/runs';
import { claimDueConnections, DEFAULT_CLAIM_LIMIT } from '@/lib/sync/schedule';

const ASSETS = 1000;
const APPLY_RUNS = 5;
const DUE_CONNECTIONS = 100_000;
/** Scheduler passes (and as many floor passes), each over freshly seeded connections: single passes vary by ±20% here. */
const SCHEDULER_RUNS = 5;
// Long before any real next_sync_at: the claims below only ever see the bench's own connections.
const BENCH_NOW = new Date('2000-01-02T00:00:00Z');

const round = (n: number) => Math.round(n * 100) / 100;

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    medianMs: round(sorted[Math.floor(sorted.length / 2)]!),
    minMs: round(sorted[0]!),
    maxMs: round(sorted.at(-1)!),
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** A 1,000-asset balance; `round` moves every amount so each apply really writes. */
function balanceRows(round: number): BalanceRow[] {
  return Array.from({ length: ASSETS }, (_, i) => {
    const total = `${i + 1}.${String(round).padStart(8, '0')}`;
    return { asset: `BENCH${String(i).padStart(4, '0')}`, wallet: 'spot', free: total, used: '0', total };
  });
}

const newConnection = (db: Database, userId: string, label: string) =>
  createTestConnection({ userId, label, credentials: null }, db);

/**
 * The original design's write path, for comparison: per asset, look the row up, then insert or update
 * it, one statement at a time (2 round trips per asset; the original also created token rows this way).
 * `db` is the database (every statement commits on its own, as in the original) or a transaction.
 */
async function perAssetLoop(db: Database, connectionId: string, userId: string, rows: BalanceRow[]) {
  for (const row of rows) {
    await db.execute(sql`
      select free from holdings
      where connection_id = ${connectionId}::uuid and asset = ${row.asset} and wallet = ${row.wallet}`);
    await db.execute(sql`
      insert into holdings (connection_id, user_id, asset, wallet, free, used, total)
      values (${connectionId}::uuid, ${userId}::uuid, ${row.asset}, ${row.wallet},
        ${row.free}::numeric, ${row.used}::numeric, ${row.total}::numeric)
      on conflict (connection_id, asset, wallet) do update
        set free = excluded.free, used = excluded.used, total = excluded.total, updated_at = now()`);
  }
}

async function applyBench(db: Database, userId: string) {
  const connections = {
    ours: await newConnection(db, userId, 'Bench: one transaction'),
    loop: await newConnection(db, userId, 'Bench: per-asset loop'),
    loopInTransaction: await newConnection(db, userId, 'Bench: per-asset loop, one transaction'),
  };
  const apply = async (rows: BalanceRow[]) => {
    const { runId } = await enqueueRun({ connectionId: connections.ours, userId, trigger: 'manual' }, db);
    return timed(() => applySyncResult({ connectionId: connections.ours, runId, result: { rows, warnings: [] } }, db));
  };
  const samples = { changed: [] as number[], unchanged: [] as number[], loop: [] as number[], loopTx: [] as number[] };
  // Round 0 is the warm-up (and the first, insert-only, write); in the others every amount changes.
  for (let round = 0; round <= APPLY_RUNS; round++) {
    const rows = balanceRows(round);
    const changed = await apply(rows);
    const unchanged = await apply(rows);
    const loop = await timed(() => perAssetLoop(db, connections.loop, userId, rows));
    const loopTx = await timed(() =>
      db.transaction((tx) => perAssetLoop(tx, connections.loopInTransaction, userId, rows)),
    );
    if (round === 0) continue;
    samples.changed.push(changed);
    samples.unchanged.push(unchanged);
    samples.loop.push(loop);
    samples.loopTx.push(loopTx);
  }
  const ours = summary(samples.changed);
  const loop = summary(samples.loop);
  const loopInTransaction = summary(samples.loopTx);
  const speedup = round(loop.medianMs / ours.medianMs);
  return {
    assets: ASSETS,
    runs: APPLY_RUNS,
    /** Every amount changed since the last sync: every row is rewritten (the worst case). */
    applySyncResult: ours,
    /** The same balances again (the common case): only the connection and the run are written. */
    applySyncResultUnchanged: summary(samples.unchanged),
    /** Like the original design: 2 statements per asset, each committing on its own. */
    perAssetLoop: { ...loop, statements: ASSETS * 2 },
    /** The loop's most favourable form: the same statements inside one transaction. */
    perAssetLoopInTransaction: loopInTransaction,
    speedup,
    speedupVsLoopInTransaction: round(loopInTransaction.medianMs / ours.medianMs),
    goalSpeedup: 20,
    withinGoal: speedup >= 20,
  };
}

/** 100,000 due connections, and no runs: each pass starts from the same state (this database is the bench's own). */
async function seedDueConnections(db: Database, userId: string, portfolioId: string): Promise<number> {
  await db.execute(sql`truncate sync_runs, exchange_connections cascade`);
  const seedMs = await timed(() =>
    db.execute(sql`
      insert into exchange_connections (id, user_id, portfolio_id, exchange_id, label, next_sync_at)
      select gen_random_uuid(), ${userId}::uuid, ${portfolioId}::uuid, 'binance', 'Bench due ' || n,
        ${BENCH_NOW.toISOString()}::timestamptz - make_interval(secs => n)
      from generate_series(1, ${DUE_CONNECTIONS}) as n`),
  );
  // Autovacuum analyzes a table after a bulk insert like this one; without statistics the planner would
  // take 100,000 due rows for a handful. A checkpoint, so no pass pays for the previous one's dirty pages.
  await db.execute(sql`analyze exchange_connections`);
  await db.execute(sql`checkpoint`).catch(() => undefined);
  return seedMs;
}

/** One pass of the scheduler over 100,000 freshly seeded due connections. */
async function schedulerRun(db: Database, userId: string, portfolioId: string, pageSize: number, parallel: number) {
  const seedMs = await seedDueConnections(db, userId, portfolioId);
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let pages = 0;
  let claimed = 0;
  let databaseMs = 0;
  for (;;) {
    const start = performance.now();
    const page = await claimDueConnections({ now: BENCH_NOW, limit: pageSize, parallel }, db);
    databaseMs += performance.now() - start;
    // What the cron function does with a page: one event per run (captured here, not sent).
    const events = page.map((run) => ({ id: `sync-${run.runId}`, data: { connectionId: run.connectionId } }));
    pages++;
    claimed += events.length;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    if (page.length < pageSize) break;
  }
  const again = await claimDueConnections({ now: BENCH_NOW, limit: pageSize, parallel }, db);
  return { seedMs, databaseMs, pages, claimed, secondPass: again.length, heapGrowth: peakHeap - heapBefore };
}

/**
 * The floor the claim is measured against: the same 100,000 runs and due-time updates written by two plain
 * bulk statements in one transaction, on the same tables (same keys, indexes, fillfactor). No paging, no
 * locking, no ON CONFLICT, nothing read back: what writing those rows costs PostgreSQL at the least.
 */
async function floorRun(db: Database, userId: string, portfolioId: string) {
  await seedDueConnections(db, userId, portfolioId);
  const due = sql`c.auto_sync and c.status not in ('needs_reauth', 'disabled') and c.disconnected_at is null
    and c.next_sync_at <= ${BENCH_NOW.toISOString()}::timestamptz`;
  let runs = 0;
  const databaseMs = await timed(() =>
    db.transaction(async (tx) => {
      const inserted = await tx.execute(sql`
        insert into sync_runs (connection_id, user_id, trigger)
        select c.id, c.user_id, 'scheduled' from exchange_connections c where ${due}`);
      runs =
        (inserted as unknown as { count?: number }).count ?? (inserted as { affectedRows?: number }).affectedRows ?? 0;
      await tx.execute(sql`
        update exchange_connections c
        set next_sync_at = ${BENCH_NOW.toISOString()}::timestamptz + make_interval(secs => c.sync_interval_seconds)
        where ${due}`);
    }),
  );
  return { databaseMs, runs };
}

async function schedulerBench(db: Database, userId: string, portfolioId: string, pageSize: number, parallel: number) {
  // The cron runs every minute, so what counts is a server that has run it before: the first pass of a
  // fresh process and database is ~15% slower every time (statements prepared and planned, caches filled),
  // so it is run first and reported on its own, as the end-to-end bench does with its warm-up tick.
  const warmUp = await schedulerRun(db, userId, portfolioId, pageSize, parallel);
  await floorRun(db, userId, portfolioId);
  // Claim and floor passes alternate (which goes first, too), so the machine's drift reaches both alike.
  const runs = [];
  const floors = [];
  for (let i = 0; i < SCHEDULER_RUNS; i++) {
    if (i % 2 === 1) floors.push(await floorRun(db, userId, portfolioId));
    runs.push(await schedulerRun(db, userId, portfolioId, pageSize, parallel));
    if (i % 2 === 0) floors.push(await floorRun(db, userId, portfolioId));
  }
  const passes = [warmUp, ...runs];
  const databaseMs = summary(runs.map((run) => run.databaseMs));
  const floorMs = summary(floors.map((floor) => floor.databaseMs));
  const ratio = round(databaseMs.medianMs / floorMs.medianMs);
  const allClaimedOnce = passes.every((run) => run.claimed === DUE_CONNECTIONS && run.secondPass === 0);
  return {
    dueConnections: DUE_CONNECTIONS,
    runs: SCHEDULER_RUNS,
    seedMs: summary(runs.map((run) => run.seedMs)).medianMs,
    pageSize,
    parallelClaims: parallel,
    pages: runs[0]!.pages,
    runsCreated: passes.map((run) => run.claimed),
    secondPassRuns: passes.map((run) => run.secondPass),
    floorRunsWritten: floors.map((floor) => floor.runs),
    warmUpMs: round(warmUp.databaseMs),
    databaseMs,
    /** Two bulk statements writing the same runs and due times: the least this work can cost. */
    bulkFloorMs: floorMs,
    ratioToFloor: ratio,
    goalRatioToFloor: 1.5,
    withinGoal: ratio <= 1.5 && allClaimedOnce,
    peakHeapGrowthMb: round(Math.max(...passes.map((run) => run.heapGrowth)) / 1024 / 1024),
  };
}

/**
 * Opens its own database (a fresh one next to DATABASE_URL, else in-memory PGlite), seeds, measures, drops it.
 * `schedulerPageSize`, `schedulerParallel`: pass the cron's settings to measure what it does.
 */
export async function syncBenchmarks(options: { schedulerPageSize?: number; schedulerParallel?: number } = {}) {
  // A fresh database of its own, so the bench never meets a live scheduler's rows.
  const serverUrl = process.env.DATABASE_URL?.trim();
  const own = serverUrl ? await createTestDatabase(serverUrl, 'coinsphere_bench') : undefined;
  const handle: DatabaseHandle = own ? openDatabase({ url: own.url }) : openDatabase({ pgliteDir: 'memory://' });
  if (!own) await migrateDatabase(handle);
  setDatabaseHandle(handle);
  const db = getDb();
  const userId = await createTestUser(db, { emailPrefix: 'bench-sync' });
  try {
    const portfolioId = await ensureDefaultPortfolio(db, userId);
    const apply = await applyBench(db, userId);
    const scheduler = await schedulerBench(
      db,
      userId,
      portfolioId,
      options.schedulerPageSize ?? DEFAULT_CLAIM_LIMIT,
      options.schedulerParallel ?? 1,
    );
    return { database: handle.kind, apply1000Assets: apply, scheduler };
  } finally {
    // The user's rows cascade; runs first, in one statement, so the cascade has less to walk.
    await db.delete(syncRuns).where(eq(syncRuns.userId, userId));
    await db.delete(users).where(eq(users.id, userId));
    setDatabaseHandle(undefined);
    await handle.close();
    await own?.drop();
  }
}
