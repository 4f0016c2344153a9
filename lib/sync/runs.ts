import 'server-only';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import type { RunErrorKind } from './failure-kinds';
import { rowsOf, textArrayLiteral } from './sql-rows';
import { cancelQueuedRuns, transitionRuns } from './state';
import type { PendingRun, SyncTrigger } from './types';

/** A run in one of these states holds the connection's single pending slot (unique partial index). */
export const PENDING_RUN_STATUSES = ['queued', 'running'] as const;

/** A run still 'running' after this long has lost its worker: it is marked stale. */
export const STALE_RUNNING_AFTER_MS = 10 * 60 * 1000;

/**
 * A run still 'queued' after this long lost its event (or every retry of it): longer than Inngest's
 * retries and rate-limit waits take, and than its 24-hour idempotency window, which would drop a resend.
 */
export const STALE_QUEUED_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * A run still 'queued' this long after it was created, with no event accepted by Inngest, will never be
 * started: whoever queued it died before sending, or could not send (a refused or forged request to
 * /api/inngest queues runs whose events go nowhere). Our own senders record the answer within seconds.
 */
export const STALE_UNSENT_AFTER_MS = 5 * 60 * 1000;

export const UNSENT_RUN_MESSAGE =
  'The sync was never handed to the background job service, so it did not run. The next sync will try again.';

const MAX_ERROR_LENGTH = 500;

/** The connection does not exist, is not this user's, or was disconnected. */
export class ConnectionNotFoundError extends Error {
  constructor() {
    super('Connection not found');
    this.name = 'ConnectionNotFoundError';
  }
}

// The ON CONFLICT target names the partial unique index `sync_runs_one_pending_per_connection`.
// Every insert selects its connection and locks it (FOR KEY SHARE here, FOR UPDATE in the scheduler).
// The foreign key already keeps a run from outliving its connection; the lock makes an insert racing
// a deletion wait for it and then find no connection (ConnectionNotFoundError), instead of failing
// on the key.
const onePendingPerConnection = sql`(connection_id) where status in ('queued', 'running')`;

export function clipError(message: string): string {
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 1)}…` : message;
}

/**
 * Queues a sync of one of the user's connections, or returns the run already queued or running for it
 * (created: false). Two callers racing get the same run: the database's unique index decides.
 */
export async function enqueueRun(
  input: { connectionId: string; userId: string; trigger: SyncTrigger },
  db: Database = getDb(),
): Promise<PendingRun> {
  // A pending run can finish between the refused insert and the lookup; the next insert then succeeds.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [created] = rowsOf<{ id: string }>(
      await db.execute(sql`
        insert into sync_runs (connection_id, user_id, trigger)
        select c.id, c.user_id, ${input.trigger}
        from exchange_connections c
        where c.id = ${input.connectionId}::uuid and c.user_id = ${input.userId}::uuid and c.disconnected_at is null
        for key share of c
        on conflict ${onePendingPerConnection} do nothing
        returning id`),
    );
    if (created) return { runId: created.id, created: true };

    const [pending] = await db
      .select({ id: syncRuns.id, status: syncRuns.status, queuedAt: syncRuns.queuedAt })
      .from(syncRuns)
      .where(
        and(
          eq(syncRuns.connectionId, input.connectionId),
          eq(syncRuns.userId, input.userId),
          inArray(syncRuns.status, [...PENDING_RUN_STATUSES]),
        ),
      );
    if (pending) {
      return { runId: pending.id, created: false, waiting: pending.status === 'queued' ? pending.queuedAt : undefined };
    }

    const [connection] = await db
      .select({ id: exchangeConnections.id })
      .from(exchangeConnections)
      .where(
        and(
          eq(exchangeConnections.id, input.connectionId),
          eq(exchangeConnections.userId, input.userId),
          sql`${exchangeConnections.disconnectedAt} is null`,
        ),
      );
    if (!connection) throw new ConnectionNotFoundError();
  }
  throw new Error('Could not queue a sync: the connection’s runs kept changing');
}

/**
 * "Sync all": a run for every connection of the user that can sync (connected, keys not refused, not
 * disabled). Connections that already have a pending run come back with it (created: false).
 */
export async function enqueueRunsForUser(
  userId: string,
  trigger: 'sync_all',
  db: Database = getDb(),
): Promise<Array<PendingRun & { connectionId: string; exchangeId: string }>> {
  const syncable = sql`c.user_id = ${userId}::uuid and c.disconnected_at is null
    and c.status not in ('needs_reauth', 'disabled')`;
  const created = rowsOf<{ id: string }>(
    await db.execute(sql`
      insert into sync_runs (connection_id, user_id, trigger)
      select c.id, c.user_id, ${trigger} from exchange_connections c where ${syncable}
      for key share of c
      on conflict ${onePendingPerConnection} do nothing
      returning id`),
  );
  const createdIds = new Set(created.map((row) => row.id));
  const pending = rowsOf<{ runId: string; connectionId: string; exchangeId: string }>(
    await db.execute(sql`
      select r.id as "runId", r.connection_id as "connectionId", c.exchange_id as "exchangeId"
      from exchange_connections c
      join sync_runs r on r.connection_id = c.id and r.status in ('queued', 'running')
      where ${syncable}
      order by c.created_at, c.id`),
  );
  return pending.map((run) => ({ ...run, created: createdIds.has(run.runId) }));
}

/** Deletes a run that is still queued (its event could not be sent), so no orphan blocks the next sync. */
export async function cancelQueuedRun(runId: string, db: Database = getDb()): Promise<void> {
  await cancelQueuedRuns([runId], db);
}

/** The final failure of a run (every retry spent, or not retriable). A finished run is left as it is. */
export async function markRunFailed(
  runId: string,
  failure: { kind: RunErrorKind; message: string },
  db: Database = getDb(),
): Promise<void> {
  await transitionRuns(
    'fail',
    { runId },
    { finishedAt: new Date(), errorKind: failure.kind, error: clipError(failure.message) },
    db,
  );
}

/**
 * Records that Inngest accepted the events of these runs (the ids its event API answered). Only the
 * first accepted id is kept; a run in any state may be named (its sync can finish before the send's
 * answer is recorded).
 */
export async function recordAcceptedEvents(
  accepted: ReadonlyArray<{ runId: string; eventId: string }>,
  db: Database = getDb(),
): Promise<void> {
  if (accepted.length === 0) return;
  await db.execute(sql`
    update ${syncRuns} r set event_id = a.event_id
    from unnest(${`{${accepted.map((a) => a.runId).join(',')}}`}::uuid[], ${textArrayLiteral(accepted.map((a) => a.eventId))}::text[])
      as a(run_id, event_id)
    where r.id = a.run_id and r.event_id is null`);
}

/**
 * Marks runs 'stale' that are still queued `olderThanMs` after they were created without Inngest ever
 * accepting their event: nothing will start them, and they hold their connection's pending slot (the
 * UI would show "Syncing…" and the scheduler skip the connection). A run whose event was accepted —
 * one waiting in Inngest's throttle queue or for a retry — is left to `markStaleRuns`' longer rule.
 */
export async function markUnsentRuns(
  options: { olderThanMs?: number; now?: Date } = {},
  db: Database = getDb(),
): Promise<number> {
  const now = options.now ?? new Date();
  const queuedSince = new Date(now.getTime() - (options.olderThanMs ?? STALE_UNSENT_AFTER_MS));
  const marked = await transitionRuns(
    'markUnsent',
    { where: and(isNull(syncRuns.eventId), lt(syncRuns.queuedAt, queuedSince)) },
    { finishedAt: now, errorKind: 'stale' satisfies RunErrorKind, error: UNSENT_RUN_MESSAGE },
    db,
  );
  return marked.length;
}

/**
 * Marks abandoned runs 'stale': running for longer than `olderThanMs` (the worker died), or queued for
 * a day (the event was lost). That frees their connection's pending slot, so the UI stops showing
 * "Syncing…" and the scheduler queues the connection again. Returns how many runs were marked.
 */
export async function markStaleRuns(
  options: { olderThanMs?: number; now?: Date } = {},
  db: Database = getDb(),
): Promise<number> {
  const now = options.now ?? new Date();
  const runningSince = new Date(now.getTime() - (options.olderThanMs ?? STALE_RUNNING_AFTER_MS));
  const queuedSince = new Date(now.getTime() - STALE_QUEUED_AFTER_MS);
  const marked = await transitionRuns(
    'markStale',
    {
      where: or(
        and(eq(syncRuns.status, 'running'), lt(syncRuns.startedAt, runningSince)),
        and(eq(syncRuns.status, 'queued'), lt(syncRuns.queuedAt, queuedSince)),
      ),
    },
    {
      finishedAt: now,
      errorKind: 'stale' satisfies RunErrorKind,
      error: 'The sync did not finish in time and was abandoned. The next sync will try again.',
    },
    db,
  );
  return marked.length;
}
