import 'server-only';
import { and, count, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns, type ConnectionStatus } from '@/db/schema';
import { CREDENTIALS_UNREADABLE_MESSAGE } from '@/lib/sync/failure-kinds';
import { userSyncAllRequested } from '@/lib/jobs/events';
import { cancelQueuedRun, enqueueRun, enqueueRunsForUser, markStaleRuns, PENDING_RUN_STATUSES } from '@/lib/sync/runs';
import { sendSyncRuns } from '@/lib/sync/send-runs';
import { dispatch } from '@/lib/jobs/dispatch';
import { forgetDevServerProbe, jobsStatus } from '@/lib/jobs/availability';
import { startSyncsInline } from '@/lib/jobs/inline-sync';
import { returnSyncAll, returnSyncNow, takeSyncAll, takeSyncNow } from '@/lib/limits/user-limits';
import { failure, notFound, UNREACHABLE_MESSAGE, type Result } from './result';
import { isConnectionId, RESEND_QUEUED_AFTER_MS } from './schemas';
import { credentialsUnreadable } from './view';

export const NEEDS_REAUTH_MESSAGE = 'Credentials need updating: the exchange rejected this API key.';
export const DISCONNECTED_MESSAGE = 'This connection was disconnected. Connect the exchange again to sync it.';

/** Statuses that never sync until the user acts (new keys, or connecting again). */
const NOT_SYNCING: ConnectionStatus[] = ['needs_reauth', 'disabled'];

function minutesUntil(date: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((date.getTime() - now.getTime()) / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function refusal(
  connection: {
    status: ConnectionStatus;
    disconnectedAt: Date | null;
    blockedUntil: Date | null;
    latestRun: { errorKind: string | null } | null;
  },
  now: Date,
): string | null {
  if (connection.disconnectedAt || connection.status === 'disabled') return DISCONNECTED_MESSAGE;
  if (credentialsUnreadable(connection)) return CREDENTIALS_UNREADABLE_MESSAGE;
  if (connection.status === 'needs_reauth') return NEEDS_REAUTH_MESSAGE;
  if (connection.blockedUntil && connection.blockedUntil > now) {
    return `The exchange is limiting requests. Try again in ${minutesUntil(connection.blockedUntil, now)}.`;
  }
  return null;
}

async function pendingRunId(connectionId: string): Promise<string | null> {
  const [run] = await getDb()
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(and(eq(syncRuns.connectionId, connectionId), inArray(syncRuns.status, [...PENDING_RUN_STATUSES])))
    .limit(1);
  return run?.id ?? null;
}

/**
 * Whether this press runs in this process: development without an Inngest dev server (see
 * lib/jobs/availability.ts). Production never does. Nothing runs the stale-run clean-up then either, so
 * runs abandoned by a stopped dev server (left `running`) are released first: they would hold their
 * connection's pending slot, and every later Sync now would only return them.
 */
async function runsInline(): Promise<boolean> {
  if ((await jobsStatus()).mode !== 'inline') return false;
  await markStaleRuns();
  return true;
}

/**
 * "Sync now": queues a run and asks Inngest to run it. A second press while one is queued or running
 * returns that run. When Inngest cannot be reached the run is removed again (no orphan that would
 * block every later sync) and the user is told so, within 3 s. In development without an Inngest dev
 * server the run goes through the same sync code in this process instead.
 */
export async function syncNow(
  userId: string,
  connectionId: string,
): Promise<Result<{ run: { id: string; created: boolean } }>> {
  if (!isConnectionId(connectionId)) return notFound();
  const inline = await runsInline();
  const [connection] = await getDb()
    .select({
      status: exchangeConnections.status,
      disconnectedAt: exchangeConnections.disconnectedAt,
      blockedUntil: exchangeConnections.blockedUntil,
      exchangeId: exchangeConnections.exchangeId,
      // Why the newest finished run failed, as the status list reads it (one index probe). The outer
      // column is spelled out: drizzle leaves columns unqualified in a one-table select, and a bare
      // "id" here would be the run's.
      latestErrorKind: sql<string | null>`(
        select r.error_kind from ${syncRuns} r
        where r.connection_id = exchange_connections.id and r.status not in ('queued', 'running')
        order by r.queued_at desc limit 1)`,
      hasPendingRun: sql<boolean>`exists (
        select 1 from ${syncRuns} r
        where r.connection_id = exchange_connections.id and r.status in ('queued', 'running'))`,
    })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.id, connectionId), eq(exchangeConnections.userId, userId)));
  if (!connection) return notFound();
  const refused = refusal({ ...connection, latestRun: { errorKind: connection.latestErrorKind } }, new Date());
  if (refused) return failure(refused);

  // Counted only when a new run would start: pressing again while one is pending costs the exchange
  // nothing and returns that run. Taken before the run is queued, so a refusal leaves nothing behind.
  const counted = !connection.hasPendingRun;
  if (counted) {
    const throttled = await takeSyncNow(connectionId);
    if (throttled) {
      // A press that raced the one which started a run is answered with that run, like any later press.
      const pending = await pendingRunId(connectionId);
      return pending ? { ok: true, run: { id: pending, created: false } } : failure(throttled);
    }
  }

  const run = await enqueueRun({ connectionId, userId, trigger: 'manual' });
  // Another press queued one in between: its count is the one that stands.
  if (!run.created && counted) await returnSyncNow(connectionId);
  if (!run.created) {
    // A run queued while the previous one was still finishing can be skipped by Inngest (one run per
    // connection: `singleton: skip`), leaving it queued with nobody to start it. Pressing Sync now
    // again sends it once more, under a new event id; the database lets only one start it anyway.
    const waitedMs = run.waiting ? Date.now() - run.waiting.getTime() : 0;
    if (waitedMs >= RESEND_QUEUED_AFTER_MS) {
      // Sent to a dev server that has gone since: nobody will start it but this process.
      if (inline) {
        await startSyncsInline([{ connectionId, runId: run.runId }]);
        return { ok: true, run: { id: run.runId, created: false } };
      }
      await sendSyncRuns([
        {
          connectionId,
          runId: run.runId,
          exchangeId: connection.exchangeId,
          eventId: `sync-${run.runId}-resent-${Date.now()}`,
        },
      ]);
    }
    return { ok: true, run: { id: run.runId, created: false } };
  }

  if (inline) {
    await startSyncsInline([{ connectionId, runId: run.runId }]);
    return { ok: true, run: { id: run.runId, created: true } };
  }
  // The same idempotency id as the scheduler's, so a run is started at most once whoever sends it.
  const sent = await sendSyncRuns([{ connectionId, runId: run.runId, exchangeId: connection.exchangeId }]);
  if (!sent.ok) {
    // A dev server that stopped since the last probe: the next press probes again and runs inline.
    forgetDevServerProbe();
    await cancelQueuedRun(run.runId);
    await returnSyncNow(connectionId);
    return failure(UNREACHABLE_MESSAGE);
  }
  return { ok: true, run: { id: run.runId, created: true } };
}

/**
 * "Sync all": one event; the sync-all function queues a run per connection that can sync and sends
 * them through the same path as Sync now. Answers how many connections that is. In development without
 * an Inngest dev server this process queues the runs as that function would and runs them itself.
 */
export async function syncAll(userId: string): Promise<Result<{ connections: number }>> {
  const inline = await runsInline();
  const [row] = await getDb()
    .select({ connections: count() })
    .from(exchangeConnections)
    .where(
      and(
        eq(exchangeConnections.userId, userId),
        isNull(exchangeConnections.disconnectedAt),
        notInArray(exchangeConnections.status, NOT_SYNCING),
      ),
    );
  const connections = Number(row?.connections ?? 0);
  if (connections === 0) return { ok: true, connections };
  const throttled = await takeSyncAll(userId);
  if (throttled) return failure(throttled);
  if (inline) {
    // A run already pending elsewhere keeps going; only the runs created here are this press's.
    const runs = (await enqueueRunsForUser(userId, 'sync_all')).filter((run) => run.created);
    await startSyncsInline(runs);
    return { ok: true, connections };
  }
  const sent = await dispatch(userSyncAllRequested.create({ userId }));
  if (!sent.ok) {
    forgetDevServerProbe();
    await returnSyncAll(userId);
    return failure(UNREACHABLE_MESSAGE);
  }
  return { ok: true, connections };
}
