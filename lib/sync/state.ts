import 'server-only';
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { getDb, type Database } from '@/db';
import {
  CONNECTION_STATUSES,
  exchangeConnections,
  syncRuns,
  type ConnectionStatus,
  type SyncStatus,
} from '@/db/schema';
import type { SyncFailureKind } from './failure-kinds';

/**
 * The one writer of `sync_runs.status` and `exchange_connections.status`: every change of either goes
 * through a named transition below, whose from-states are a condition of the UPDATE itself, so a row
 * in any other state is left exactly as it was (every column, not only the status) and the caller is
 * told (`applied: false`, or no row returned). Callers add the columns that go with a transition
 * (timestamps, counters, the redacted error) but never the status.
 *
 * Not transitions, so written elsewhere: a new run is inserted `queued` (lib/sync/runs.ts enqueueRun /
 * enqueueRunsForUser, lib/sync/schedule.ts claimPage) and a new connection `active`
 * (lib/connections/connect.ts), by the column defaults.
 *
 * Runs:        queued → running → succeeded | failed | stale, queued → stale (abandoned, or its event
 *              never accepted by Inngest), and running → queued for a retry;
 *              succeeded, failed and stale are final. A queued run may also be deleted (its event was
 *              never sent: `cancelQueuedRuns`).
 * Connections: active, needs_reauth, rate_limited and error move between each other with sync results
 *              and new keys; `disabled` is an operator's decision (or a disconnection) that no sync
 *              result and no new key undoes; a disconnected connection (disconnected_at set) has no
 *              transition left.
 */

interface Transition<Status extends string> {
  from: readonly Status[];
  to: Status;
}

export const RUN_TRANSITIONS = {
  /** An attempt starts. From `running` too: an attempt whose worker died is retried on the same run. */
  start: { from: ['queued', 'running'], to: 'running' },
  /** Its balances were applied. From `queued` too: the connect flow applies balances it already read. */
  succeed: { from: ['queued', 'running'], to: 'succeeded' },
  /** The attempt failed and Inngest will try again. */
  retry: { from: ['running'], to: 'queued' },
  /** The attempt failed in a way no retry can help. */
  failAttempt: { from: ['running'], to: 'failed' },
  /** Ended from outside an attempt: every retry spent, or the connection disconnected. */
  fail: { from: ['queued', 'running'], to: 'failed' },
  /** Abandoned: queued or running for too long (the caller says how long). */
  markStale: { from: ['queued', 'running'], to: 'stale' },
  /**
   * Abandoned before it was ever handed over: still queued, and Inngest never accepted its event (no
   * `event_id`; the caller adds that condition and how long ago it was queued). Never from `running`:
   * a run that started had its event delivered.
   */
  markUnsent: { from: ['queued'], to: 'stale' },
} as const satisfies Record<string, Transition<SyncStatus>>;

export type RunTransition = keyof typeof RUN_TRANSITIONS;

/** Every status but `disabled`: the ones a sync result or a new key may change. */
const SYNCABLE = ['active', 'needs_reauth', 'rate_limited', 'error'] as const satisfies readonly ConnectionStatus[];

export const CONNECTION_TRANSITIONS = {
  syncSucceeded: { from: SYNCABLE, to: 'active' },
  /** The exchange refused the key, or the stored key can no longer be decrypted: never scheduled again until new keys. */
  needsReauth: { from: SYNCABLE, to: 'needs_reauth' },
  rateLimited: { from: SYNCABLE, to: 'rate_limited' },
  syncFailed: { from: SYNCABLE, to: 'error' },
  /**
   * The user saved a new key. A rate limit still running is the exchange's, not the key's: such a
   * connection stays `rate_limited` until its block passes (see `connectionStatusSql`).
   */
  keysReplaced: { from: SYNCABLE, to: 'active' },
  disconnected: { from: CONNECTION_STATUSES, to: 'disabled' },
} as const satisfies Record<string, Transition<ConnectionStatus>>;

export type ConnectionTransition = keyof typeof CONNECTION_TRANSITIONS;

/** The connection's transition after a failed attempt of this kind; null when the connection is left alone. */
export function connectionTransitionAfter(kind: SyncFailureKind): ConnectionTransition | null {
  switch (kind) {
    case 'not_found':
      return null;
    case 'auth':
    case 'credentials_unreadable':
      return 'needsReauth';
    case 'rate_limit':
      return 'rateLimited';
    default:
      return 'syncFailed';
  }
}

// postgres.js cannot bind a Date inside raw SQL, so timestamps in sql`` travel as ISO text.
const timestamp = (at: Date) => sql`${at.toISOString()}::timestamptz`;

/**
 * A transition as SQL, for statements that compose it with other writes (the sync's apply is one
 * statement): `status` is the new value, `guard` the condition on the current row. Both name the
 * table, not an alias.
 */
export function connectionTransitionSql(
  name: ConnectionTransition,
  now: Date = new Date(),
): { status: SQL; guard: SQL } {
  const { from, to } = CONNECTION_TRANSITIONS[name];
  const status =
    name === 'keysReplaced'
      ? sql`case when ${exchangeConnections.status} = 'rate_limited' and ${exchangeConnections.blockedUntil} > ${timestamp(now)}
          then ${exchangeConnections.status} else ${to} end`
      : sql`${to}`;
  return { status, guard: inArray(exchangeConnections.status, [...from]) };
}

export function runTransitionSql(name: RunTransition): { status: SQL; guard: SQL } {
  const { from, to } = RUN_TRANSITIONS[name];
  return { status: sql`${to}`, guard: inArray(syncRuns.status, [...from]) };
}

export type ConnectionColumns = Omit<PgUpdateSetSource<typeof exchangeConnections>, 'status'>;
export type RunColumns = Omit<PgUpdateSetSource<typeof syncRuns>, 'status'>;

/**
 * Moves one connection through `name`, with `columns` written alongside. Nothing changes unless the
 * connection exists, is not disconnected, belongs to `userId` (when given), meets `where` (when given)
 * and is in one of the transition's from-states.
 */
export async function transitionConnection(
  name: ConnectionTransition,
  target: { connectionId: string; userId?: string; where?: SQL; now?: Date },
  columns: ConnectionColumns = {},
  db: Database = getDb(),
): Promise<{ applied: boolean }> {
  const { status, guard } = connectionTransitionSql(name, target.now);
  const rows = await db
    .update(exchangeConnections)
    .set({ ...columns, status })
    .where(
      and(
        eq(exchangeConnections.id, target.connectionId),
        target.userId === undefined ? undefined : eq(exchangeConnections.userId, target.userId),
        isNull(exchangeConnections.disconnectedAt),
        guard,
        target.where,
      ),
    )
    .returning({ id: exchangeConnections.id });
  return { applied: rows.length > 0 };
}

export interface TransitionedRun {
  id: string;
  connectionId: string;
  userId: string;
}

/**
 * Moves the runs `target` selects (one run by id, a connection's runs, or those meeting `where`)
 * through `name`, with `columns` written alongside; runs in another state are left as they are.
 * Answers the runs that moved: none means the transition was refused.
 */
export async function transitionRuns(
  name: RunTransition,
  target: { runId?: string; connectionId?: string; userId?: string; where?: SQL },
  columns: RunColumns = {},
  db: Database = getDb(),
): Promise<TransitionedRun[]> {
  if (target.runId === undefined && target.connectionId === undefined && target.where === undefined) {
    throw new Error(`transitionRuns(${name}): name a run, a connection or a condition`);
  }
  const { status, guard } = runTransitionSql(name);
  return db
    .update(syncRuns)
    .set({ ...columns, status })
    .where(
      and(
        target.runId === undefined ? undefined : eq(syncRuns.id, target.runId),
        target.connectionId === undefined ? undefined : eq(syncRuns.connectionId, target.connectionId),
        target.userId === undefined ? undefined : eq(syncRuns.userId, target.userId),
        guard,
        target.where,
      ),
    )
    .returning({ id: syncRuns.id, connectionId: syncRuns.connectionId, userId: syncRuns.userId });
}

/**
 * Deletes runs still queued whose event was never sent, so no orphan holds the connection's pending
 * slot. As SQL for statements that go on with the connections (`returning connection_id`).
 */
export function cancelQueuedRunsSql(runIds: readonly string[]): SQL {
  return sql`delete from ${syncRuns}
    where ${syncRuns.id} = any(${`{${runIds.join(',')}}`}::uuid[]) and ${syncRuns.status} = 'queued'
    returning ${syncRuns.connectionId}`;
}

export async function cancelQueuedRuns(runIds: readonly string[], db: Database = getDb()): Promise<void> {
  if (runIds.length > 0) await db.execute(cancelQueuedRunsSql(runIds));
}
