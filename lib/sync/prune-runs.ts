import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { rowsOf } from './sql-rows';

/** Runs older than this may be deleted (unless among their connection's last KEEP_LAST_RUNS). */
export const KEEP_RUNS_DAYS = 30;
/** Each connection keeps at least its newest runs, however old: its sync history never goes blank. */
export const KEEP_LAST_RUNS = 50;
/** Runs deleted per statement (one Inngest step): a statement's WAL and time stay small. */
export const PRUNE_BATCH_SIZE = 10_000;
/**
 * The connections are walked in this many ranges of their (random) ids, one after the other. A batch
 * looks only at its range's connections, so a batch's cost does not grow with the number of connections,
 * and no cursor (an id) has to travel between steps: the next range is a count. Divides 65,536.
 */
export const PRUNE_SLICES = 64;
/** Batches one Inngest run deletes before handing the rest to a new run: under its 1,000 steps a run. */
export const PRUNE_MAX_BATCHES = 900;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `slice`-th of `slices` equal ranges of uuids: [lower, upper), upper null for the last. */
export function sliceBounds(slice: number, slices: number): { lower: string; upper: string | null } {
  if (!Number.isInteger(slices) || slices < 1 || slices > 65_536 || 65_536 % slices !== 0) {
    throw new Error(`slices must divide 65,536, got ${slices}`);
  }
  if (!Number.isInteger(slice) || slice < 0 || slice >= slices) throw new Error(`slice out of range: ${slice}`);
  const bound = (k: number) =>
    `${(k * (65_536 / slices)).toString(16).padStart(4, '0')}0000-0000-0000-0000-000000000000`;
  return { lower: bound(slice), upper: slice + 1 < slices ? bound(slice + 1) : null };
}

/**
 * Deletes up to `batchSize` finished runs of the connections in one id range that are older than
 * `keepDays` and not among their connection's `keepLast` newest runs; returns how many were deleted.
 * A full batch means more may be left in that range: call again until a batch comes back short.
 *
 * - a queued or running run is never deleted, however old (checked again by the delete itself);
 * - "newest" is by queued_at: a run is deleted only when queued strictly before the connection's
 *   `keepLast`-th newest, so ties at that boundary keep more, never fewer;
 * - both lookups walk sync_runs_connection_idx (connection_id, queued_at) from one connection's key:
 *   the `keepLast`-th newest backwards, the deletable runs forwards from the oldest, so a batch reads
 *   what it deletes plus a few index pages per connection of its range, however long the table;
 * - the delete finds its rows by primary key (id = any(array)), never by a join the planner could turn
 *   into a scan of the whole table;
 * - nothing a sync writes is locked: a sync writes its own run, always among the newest, and its
 *   connection, which this only reads. balance_history is another table and is not touched.
 */
export async function pruneRunsBatch(
  options: {
    slice: number;
    slices?: number;
    batchSize?: number;
    keepDays?: number;
    keepLast?: number;
    now?: Date;
  },
  db: Database = getDb(),
): Promise<{ deleted: number }> {
  const { lower, upper } = sliceBounds(options.slice, options.slices ?? PRUNE_SLICES);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? PRUNE_BATCH_SIZE));
  const keepLast = Math.max(1, Math.floor(options.keepLast ?? KEEP_LAST_RUNS));
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.keepDays ?? KEEP_RUNS_DAYS) * DAY_MS);
  const [row] = rowsOf<{ deleted: number }>(
    await db.execute(sql`
      with doomed as (
        select old.id
        from exchange_connections c
        cross join lateral (
          select k.queued_at from sync_runs k
          where k.connection_id = c.id
          order by k.queued_at desc
          offset ${keepLast - 1} limit 1
        ) kept_from
        cross join lateral (
          select r.id from sync_runs r
          where r.connection_id = c.id
            and r.queued_at < least(kept_from.queued_at, ${cutoff.toISOString()}::timestamptz)
            and r.status not in ('queued', 'running')
          order by r.queued_at
          limit ${batchSize}
        ) old
        where c.id >= ${lower}::uuid ${upper ? sql`and c.id < ${upper}::uuid` : sql``}
        limit ${batchSize}
      ),
      deleted as (
        delete from sync_runs
        where id = any(array(select id from doomed)) and status not in ('queued', 'running')
        returning 1
      )
      select count(*)::int as deleted from deleted`),
  );
  return { deleted: Number(row?.deleted ?? 0) };
}
