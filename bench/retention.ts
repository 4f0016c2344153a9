// Retention bench for `npm run bench`: numbers, not assertions. Prints nothing.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase } from '@/db/client';
import { getDb, setDatabaseHandle, type Database } from '@/db';
import { exchangeConnections, users } from '@/db/schema';
import type { BalanceRow } from '@/lib/exchanges/types';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import { applySyncResult } from '@/lib/sync/apply-result';
import { PRUNE_BATCH_SIZE, PRUNE_SLICES, pruneRunsBatch } from '@/lib/sync/prune-runs';
import { enqueueRun } from '@/lib/sync/runs';
import { createTestDatabase } from '@/lib/testing/test-database';

const CONNECTIONS = 2_000;
/** Old runs per connection: 50 are kept (its last 50), the rest pruned: 2,000 × 550 − 2,000 × 50 = 1,000,000. */
const RUNS_PER_CONNECTION = 550;
/** The synced account: a realistic exchange account, its amounts changed by every sync. */
const ASSETS = 50;
/** How long each window without pruning lasts (one before, one after the pruning window). */
const QUIET_WINDOW_MS = 10_000;

const round = (n: number) => Math.round(n * 100) / 100;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { syncs: sorted.length, medianMs: at(0.5), p99Ms: at(0.99), maxMs: round(sorted.at(-1) ?? 0) };
}

function balanceRows(round: number): BalanceRow[] {
  return Array.from({ length: ASSETS }, (_, i) => {
    const total = `${i + 1}.${String(round).padStart(8, '0')}`;
    return { asset: `PRUNE${String(i).padStart(3, '0')}`, wallet: 'spot', free: total, used: '0', total };
  });
}

/**
 * Syncs one connection again and again until `done` resolves, as a worker would (its run queued, then
 * its result applied, as bench/sync.ts does); returns the latency of each apply.
 */
async function syncLoop(db: Database, connectionId: string, userId: string, done: Promise<unknown>) {
  let finished = false;
  void done.finally(() => (finished = true));
  const applyMs: number[] = [];
  let round = 0;
  while (!finished) {
    const { runId } = await enqueueRun({ connectionId, userId, trigger: 'scheduled' }, db);
    const start = performance.now();
    await applySyncResult({ connectionId, runId, result: { rows: balanceRows(++round), warnings: [] } }, db);
    applyMs.push(performance.now() - start);
  }
  return applyMs;
}

/** Every range, batch after batch, as the prune-sync-runs function does (without Inngest between batches). */
async function pruneEverything(db: Database) {
  let deleted = 0;
  let batches = 0;
  const batchMs: number[] = [];
  for (let slice = 0; slice < PRUNE_SLICES;) {
    const start = performance.now();
    const batch = await pruneRunsBatch({ slice, slices: PRUNE_SLICES, batchSize: PRUNE_BATCH_SIZE }, db);
    batchMs.push(performance.now() - start);
    batches += 1;
    deleted += batch.deleted;
    if (batch.deleted < PRUNE_BATCH_SIZE) slice += 1;
  }
  return { deleted, batches, batchMs };
}

/**
 * Pruning 1,000,000 old runs next to a connection that syncs in a loop: the worst apply latency while
 * pruning against the worst without (windows before and after). PostgreSQL only: PGlite runs one
 * statement at a time, so there is no concurrency to measure.
 */
export async function retentionBenchmarks() {
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) return { skipped: 'needs DATABASE_URL' };
  const own = await createTestDatabase(serverUrl, 'coinsphere_bench');
  const handle = openDatabase({ url: own.url });
  setDatabaseHandle(handle);
  const db = getDb();
  try {
    const [user] = await db
      .insert(users)
      .values({ email: `bench-prune-${randomUUID()}@example.invalid`, passwordHash: 'x' })
      .returning({ id: users.id });
    const userId = user!.id;
    const portfolioId = await ensureDefaultPortfolio(db, userId);
    const synced = randomUUID();
    await db
      .insert(exchangeConnections)
      .values({ id: synced, userId, portfolioId, exchangeId: 'binance', label: 'Bench: syncing' });
    const seedStart = performance.now();
    await db.execute(sql`
      insert into exchange_connections (id, user_id, portfolio_id, exchange_id, label)
      select gen_random_uuid(), ${userId}::uuid, ${portfolioId}::uuid, 'binance', 'Bench old runs ' || n
      from generate_series(1, ${CONNECTIONS}) as n`);
    // Written as a scheduler writes them: one run per connection every 5 minutes, 40 days ago and before.
    await db.execute(sql`
      insert into sync_runs (connection_id, user_id, trigger, status, queued_at, started_at, finished_at, attempts)
      select c.id, c.user_id, 'scheduled', 'succeeded', t, t, t + interval '1 second', 1
      from generate_series(1, ${RUNS_PER_CONNECTION}) as n
      cross join lateral (select now() - interval '40 days' - make_interval(mins => 5 * n) as t) ts
      cross join exchange_connections c
      where c.id <> ${synced}::uuid
      order by n desc, c.id`);
    await db.execute(sql`vacuum analyze sync_runs`);
    await db.execute(sql`checkpoint`);
    const seedMs = performance.now() - seedStart;
    // A first sync creates the holdings rows; the loops below update them.
    await syncLoop(db, synced, userId, Promise.resolve());

    const quiet = () => syncLoop(db, synced, userId, new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS)));
    const before = await quiet();
    const pruning = pruneEverything(db);
    const pruneStart = performance.now();
    const during = await syncLoop(db, synced, userId, pruning);
    const prune = await pruning;
    const pruneMs = performance.now() - pruneStart;
    const after = await quiet();
    const without = stats([...before, ...after]);
    const withPruning = stats(during);
    const extraMs = round(withPruning.maxMs - without.maxMs);
    return {
      database: handle.kind,
      runsPruned: prune.deleted,
      runsLeft: Number(
        ((await db.execute(sql`select count(*)::int as n from sync_runs`)) as unknown as { n: number }[])[0]!.n,
      ),
      seedMs: Math.round(seedMs),
      batchSize: PRUNE_BATCH_SIZE,
      batches: prune.batches,
      pruneMs: Math.round(pruneMs),
      worstBatchMs: round(Math.max(...prune.batchMs)),
      assetsPerSync: ASSETS,
      applyWithoutPruning: without,
      applyDuringPruning: withPruning,
      worstApplyExtraMs: extraMs,
      goalWorstApplyExtraMs: 100,
      withinGoal: extraMs <= 100 && prune.deleted === CONNECTIONS * (RUNS_PER_CONNECTION - 50),
    };
  } finally {
    setDatabaseHandle(undefined);
    await handle.close();
    await own.drop();
  }
}
