import 'server-only';
import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { getDb, type Database } from '@/db';
import {
  exchangeConnections,
  exchangeCredentials,
  holdings,
  syncRuns,
  type ConnectionStatus,
  type SyncStatus,
  type SyncTrigger,
} from '@/db/schema';
import { findExchange } from '@/lib/exchanges/catalog';
import { isConnectionId } from './schemas';

/** What the UI sees of a connection. Never a key (only its last four characters), never a ciphertext. */
export interface ConnectionDto {
  id: string;
  exchangeId: string;
  exchangeName: string;
  label: string;
  status: ConnectionStatus;
  /** Last four characters of the API key; null once disconnected (the credentials are gone). */
  keyHint: string | null;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  nextSyncAt: Date | null;
  /** Plain English, redacted. */
  lastError: string | null;
  autoSync: boolean;
  syncIntervalSeconds: number;
  blockedUntil: Date | null;
  /** The queued or running sync, if any (at most one per connection). */
  pendingRun: { id: string; status: SyncStatus; trigger: SyncTrigger; /** ISO */ queuedAt: string } | null;
  sandbox: boolean;
  permissions: Record<string, boolean> | null;
  /** Holding rows (one per asset and wallet). */
  holdingsCount: number;
  /** Set when disconnected; such a connection is only listed while it keeps holdings. */
  disconnectedAt: Date | null;
  /** The newest finished run (succeeded, failed or stale), for the "what happened last" line. */
  latestRun: FinishedRun | null;
}

export interface FinishedRun {
  id: string;
  status: Exclude<SyncStatus, 'queued' | 'running'>;
  /** Redacted, plain English; null when it succeeded. */
  error: string | null;
  /** Why it did not succeed (a RunErrorKind, lib/sync/failure-kinds.ts); null when it succeeded. */
  errorKind: string | null;
  finishedAt: Date | null;
}

interface FinishedRunJson {
  id: string;
  status: FinishedRun['status'];
  error: string | null;
  errorKind: string | null;
  finishedAt: string | null;
}

const pendingRun = alias(syncRuns, 'pending_run');

/**
 * One statement for any number of connections: the key hint and the pending run are joined (the
 * unique partial index allows one pending run per connection, so the join never multiplies rows) and
 * the holdings are counted by a correlated subquery over the holdings primary key. Only the hint
 * column of exchange_credentials is selected.
 */
export function selectConnections(db: Database, userId: string, filter: SQL | undefined) {
  return db
    .select({
      id: exchangeConnections.id,
      exchangeId: exchangeConnections.exchangeId,
      label: exchangeConnections.label,
      status: exchangeConnections.status,
      keyHint: exchangeCredentials.apiKeyHint,
      lastSyncAt: exchangeConnections.lastSyncAt,
      lastSuccessAt: exchangeConnections.lastSuccessAt,
      nextSyncAt: exchangeConnections.nextSyncAt,
      lastError: exchangeConnections.lastError,
      autoSync: exchangeConnections.autoSync,
      syncIntervalSeconds: exchangeConnections.syncIntervalSeconds,
      blockedUntil: exchangeConnections.blockedUntil,
      pendingRunId: pendingRun.id,
      pendingRunStatus: pendingRun.status,
      pendingRunTrigger: pendingRun.trigger,
      pendingRunQueuedAt: pendingRun.queuedAt,
      sandbox: exchangeConnections.sandbox,
      permissions: exchangeConnections.permissions,
      holdingsCount: sql<number>`(select count(*)::int from ${holdings} where ${holdings.connectionId} = ${exchangeConnections.id})`,
      disconnectedAt: exchangeConnections.disconnectedAt,
      // Walks sync_runs_connection_idx backwards from the newest run: one index probe per connection.
      latestRun: sql<FinishedRunJson | null>`(
        select json_build_object('id', r.id, 'status', r.status, 'error', r.error, 'errorKind', r.error_kind,
          'finishedAt', r.finished_at)
        from ${syncRuns} r
        where r.connection_id = ${exchangeConnections.id} and r.status not in ('queued', 'running')
        order by r.queued_at desc limit 1)`,
    })
    .from(exchangeConnections)
    .leftJoin(
      exchangeCredentials,
      and(eq(exchangeCredentials.connectionId, exchangeConnections.id), eq(exchangeCredentials.userId, userId)),
    )
    .leftJoin(
      pendingRun,
      and(eq(pendingRun.connectionId, exchangeConnections.id), inArray(pendingRun.status, ['queued', 'running'])),
    )
    .where(and(eq(exchangeConnections.userId, userId), filter))
    .orderBy(asc(exchangeConnections.createdAt), asc(exchangeConnections.id));
}

type ConnectionRow = Awaited<ReturnType<typeof selectConnections>>[number];

function toDto(row: ConnectionRow): ConnectionDto {
  const { pendingRunId, pendingRunStatus, pendingRunTrigger, pendingRunQueuedAt, latestRun, ...rest } = row;
  return {
    ...rest,
    latestRun: latestRun
      ? { ...latestRun, finishedAt: latestRun.finishedAt ? new Date(latestRun.finishedAt) : null }
      : null,
    exchangeName: findExchange(row.exchangeId)?.name ?? row.exchangeId,
    holdingsCount: Number(row.holdingsCount),
    pendingRun:
      pendingRunId && pendingRunStatus && pendingRunTrigger && pendingRunQueuedAt
        ? {
            id: pendingRunId,
            status: pendingRunStatus,
            trigger: pendingRunTrigger,
            queuedAt: new Date(pendingRunQueuedAt).toISOString(),
          }
        : null,
  };
}

/**
 * The user's connections, oldest first. A disconnected connection is listed only while it keeps
 * holdings (they still count in the portfolio, so the user must see where they come from).
 */
export async function listConnections(userId: string, db: Database = getDb()): Promise<ConnectionDto[]> {
  const keepsHoldings = sql`exists (select 1 from ${holdings} where ${holdings.connectionId} = ${exchangeConnections.id})`;
  const rows = await selectConnections(db, userId, or(isNull(exchangeConnections.disconnectedAt), keepsHoldings));
  return rows.map(toDto);
}

/** One of the user's connections, or null when it is not theirs (or not a connection id at all). */
export async function getConnection(
  userId: string,
  connectionId: string,
  db: Database = getDb(),
): Promise<ConnectionDto | null> {
  // Not even a UUID (a hand-typed URL): PostgreSQL would refuse the comparison; answer like a stranger's id.
  if (!isConnectionId(connectionId)) return null;
  const [row] = await selectConnections(db, userId, eq(exchangeConnections.id, connectionId));
  return row ? toDto(row) : null;
}
