import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { dispatch } from '@/lib/jobs/dispatch';
import { historyImportRequested } from '@/lib/jobs/events';
import { historyIntervalSeconds } from '@/lib/limits/policies';
import { rowsOf } from '@/lib/sync/sql-rows';

/** Connections the history cron claims per step. */
export const HISTORY_SCHEDULE_PAGE_SIZE = 1000;
/** A run that has not written for this long is taken for dead (a stopped dev server, a lost event). */
const STALE_RUN_MINUTES = 60;
const SEND_TIMEOUT_MS = 20_000;

interface ClaimedImport {
  connectionId: string;
  userId: string;
  exchangeId: string;
  dueAt: string;
}

/**
 * Claims up to `limit` connections whose next history import is due, in one statement: connected
 * (not disconnected, disabled or needing new keys), next_import_at passed, and no run queued or
 * running (unless it went stale). Their rows are queued and moved one interval forward, so a slow or
 * repeated tick never claims one twice; SKIP LOCKED keeps concurrent claimers on disjoint rows.
 */
export async function claimDueHistoryImports(
  options: { now?: Date; limit?: number } = {},
  db: Database = getDb(),
): Promise<ClaimedImport[]> {
  const now = (options.now ?? new Date()).toISOString();
  const limit = Math.max(1, Math.floor(options.limit ?? HISTORY_SCHEDULE_PAGE_SIZE));
  return rowsOf<ClaimedImport>(
    await db.execute(sql`
      with due as (
        select h.connection_id, h.next_import_at
        from history_imports h
        join exchange_connections c on c.id = h.connection_id and c.user_id = h.user_id
        where h.next_import_at <= ${now}::timestamptz
          and c.disconnected_at is null and c.status not in ('needs_reauth', 'disabled')
          and (h.state not in ('queued', 'running')
            or h.updated_at < ${now}::timestamptz - make_interval(mins => ${STALE_RUN_MINUTES}))
        order by h.next_import_at
        limit ${limit}
        for update of h skip locked
      )
      update history_imports h
      set state = 'queued', updated_at = ${now}::timestamptz,
        next_import_at = ${now}::timestamptz + make_interval(secs => ${historyIntervalSeconds()})
      from due, exchange_connections c
      where h.connection_id = due.connection_id and c.id = h.connection_id
      returning h.connection_id as "connectionId", h.user_id as "userId", c.exchange_id as "exchangeId",
        to_char(due.next_import_at at time zone 'UTC', 'YYYYMMDDHH24MISSUS') as "dueAt"`),
  );
}

/**
 * One page of the history scheduler: claims due imports and sends one import event each, with an id
 * made of the connection and the time it was due (a retried step sends the same ids). If the events
 * cannot be sent, the claims are released (due again at their old time) and this throws, so Inngest
 * retries the step. Returns the count only.
 */
export async function claimAndSendHistoryPage(
  options: { now?: Date; limit?: number } = {},
  db: Database = getDb(),
): Promise<{ claimed: number }> {
  const claimed = await claimDueHistoryImports(options, db);
  if (claimed.length === 0) return { claimed: 0 };
  const sent = await dispatch(
    claimed.map((row) =>
      historyImportRequested.create(
        { connectionId: row.connectionId, userId: row.userId, exchangeId: row.exchangeId },
        { id: `history-${row.connectionId}-${row.dueAt}` },
      ),
    ),
    { timeoutMs: SEND_TIMEOUT_MS },
  );
  if (!sent.ok) {
    await db.execute(sql`
      update history_imports h set state = 'idle', next_import_at = ${(options.now ?? new Date()).toISOString()}::timestamptz
      where h.connection_id = any(${`{${claimed.map((row) => row.connectionId).join(',')}}`}::uuid[])`);
    throw new Error(`Could not send ${claimed.length} history imports to Inngest; those connections are due again`);
  }
  return { claimed: claimed.length };
}
