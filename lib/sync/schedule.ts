import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { rowsOf } from './sql-rows';
import { cancelQueuedRunsSql } from './state';
import type { ClaimedSync } from './types';

export const DEFAULT_CLAIM_LIMIT = 1000;

/**
 * Connections the cron claims per step. Each claim statement has a fixed cost (the two claimers wait for
 * each other, then for the app to read the page), so bigger pages claim faster, up to about this size
 * (`npm run bench` shows the scheduler's cost).
 */
export const SCHEDULE_PAGE_SIZE = 4000;

/**
 * Claims the cron runs at once, on disjoint rows (SKIP LOCKED). Nearly all of a claim's time is
 * PostgreSQL's per-row work (the run's index entries, the connection's new row version, WAL), which
 * one statement does on one core; two claimers use both cores of a small server.
 */
export const PARALLEL_CLAIMS = 2;

type ClaimedRow = Omit<ClaimedSync, 'runId'> & { runId: string | null };

/**
 * One statement: claims up to `limit` due connections and queues a 'scheduled' run for each.
 * - due: auto-sync on, not needs_reauth/disabled, not disconnected (the partial index
 *   exchange_connections_due_idx, walked by next_sync_at), next_sync_at passed, not rate-limit blocked;
 * - FOR UPDATE SKIP LOCKED, so concurrent callers take disjoint pages, and a connection being deleted
 *   is passed by instead of waited for (its runs' foreign key would refuse a run for it anyway);
 * - next_sync_at moves forward by the connection's interval, so a slow or repeated cron never claims
 *   it twice;
 * - a connection that still has a queued or running run gets no second one (ON CONFLICT on the
 *   one-pending-run index, probed per row): it comes back with runId null, moved forward all the same;
 * - runs are inserted in connection order, so the run indexes keyed by connection_id are filled in order;
 * - the update finds the locked rows by their physical address (ctid = any(array)): with a join on id the
 *   planner may hash the whole table once per page (a sequential scan of every connection) whenever its
 *   estimate of the page's size tips that way. The rows are locked, so their ctids hold.
 */
async function claimPage(now: string, limit: number, db: Database): Promise<ClaimedRow[]> {
  return rowsOf<ClaimedRow>(
    await db.execute(sql`
      with due as (
        select c.ctid
        from exchange_connections c
        where c.auto_sync and c.status not in ('needs_reauth', 'disabled') and c.disconnected_at is null
          and c.next_sync_at <= ${now}::timestamptz
          and (c.blocked_until is null or c.blocked_until <= ${now}::timestamptz)
        order by c.next_sync_at
        limit ${limit}
        for update of c skip locked
      ),
      advanced as (
        update exchange_connections c
        set next_sync_at = ${now}::timestamptz + make_interval(secs => c.sync_interval_seconds)
        where c.ctid = any(array(select ctid from due))
        returning c.id, c.user_id, c.exchange_id
      ),
      queued as (
        insert into sync_runs (connection_id, user_id, trigger)
        select advanced.id, advanced.user_id, 'scheduled' from advanced order by advanced.id
        on conflict (connection_id) where status in ('queued', 'running') do nothing
        returning id, connection_id
      )
      select advanced.id as "connectionId", advanced.exchange_id as "exchangeId", queued.id as "runId"
      from advanced left join queued on queued.connection_id = advanced.id`),
  );
}

/**
 * Claims due connections and queues their runs; returns up to `limit` runs created. Connections that
 * already had a pending run are moved forward without a new one, and more are claimed in their place,
 * so a full page always means more may be due: call again until fewer than `limit` come back.
 * `parallel` splits the page between that many claimers working at once.
 */
export async function claimDueConnections(
  options: { now?: Date; limit?: number; parallel?: number } = {},
  db: Database = getDb(),
): Promise<ClaimedSync[]> {
  const now = (options.now ?? new Date()).toISOString();
  const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_CLAIM_LIMIT));
  const parallel = Math.min(limit, Math.max(1, Math.floor(options.parallel ?? 1)));
  // Shares differ by at most one; a claimer that comes back short has found every due row not
  // locked by the others, so the page as a whole is short only when nothing more is due.
  const shares = Array.from({ length: parallel }, (_, i) => Math.floor((limit + i) / parallel));
  const pages = await Promise.all(shares.map((share) => claimUpTo(now, share, db)));
  return pages.flat();
}

async function claimUpTo(now: string, limit: number, db: Database): Promise<ClaimedSync[]> {
  const created: ClaimedSync[] = [];
  for (;;) {
    const wanted = limit - created.length;
    const claimed = await claimPage(now, wanted, db);
    for (const row of claimed) if (row.runId) created.push({ ...row, runId: row.runId });
    // Each pass moves every connection it claimed out of the due set, so this ends.
    if (claimed.length < wanted || created.length >= limit) return created;
  }
}

/**
 * Undoes claims whose events could not be sent: deletes their runs (if still queued) and makes their
 * connections due again at `dueAt` (the claim's time), so the next claim takes them again instead of
 * leaving runs queued that no event will ever start.
 */
export async function releaseClaims(runIds: string[], dueAt: Date, db: Database = getDb()): Promise<void> {
  if (runIds.length === 0) return;
  await db.execute(sql`
    with released as (${cancelQueuedRunsSql(runIds)})
    update exchange_connections c set next_sync_at = ${dueAt.toISOString()}::timestamptz
    where c.id in (select connection_id from released)`);
}
