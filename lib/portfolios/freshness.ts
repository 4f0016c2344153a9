import 'server-only';
import { eq } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, type ConnectionStatus } from '@/db/schema';

/** Why a connection's holdings may not be current: its syncs fail, it waits for new keys, or it is late. */
export type SyncProblem = 'needs_keys' | 'failing' | 'overdue';

/** Said next to each holding of such a connection: words, not a colour. */
export const SYNC_PROBLEM_TEXT: Record<SyncProblem, string> = {
  needs_keys: 'Not current: needs new keys',
  failing: 'Not current: sync failing',
  overdue: 'Not current: sync overdue',
};

// A scheduled sync is late when no success came within two intervals plus slack for a queue and retries.
const OVERDUE_SLACK_MS = 10 * 60_000;

interface ConnectionState {
  status: ConnectionStatus;
  autoSync: boolean;
  syncIntervalSeconds: number;
  lastSuccessAt: Date | null;
  createdAt: Date;
}

/** The problem of a connected (not disconnected) connection, or null when its holdings are as fresh as promised. */
export function syncProblem(connection: ConnectionState, now: Date): SyncProblem | null {
  if (connection.status === 'needs_reauth') return 'needs_keys';
  if (connection.status === 'error' || connection.status === 'rate_limited') return 'failing';
  if (connection.status === 'disabled' || !connection.autoSync) return null;
  const since = connection.lastSuccessAt ?? connection.createdAt;
  const allowed = 2 * connection.syncIntervalSeconds * 1000 + OVERDUE_SLACK_MS;
  return now.getTime() - since.getTime() > allowed ? 'overdue' : null;
}

export interface PortfolioFreshness {
  /** The OLDEST last successful sync among connected exchanges: the portfolio is only as current as that one. */
  oldestSyncAt: Date | null;
  /** Connected exchanges that have never synced (the oldest is then "never"). */
  neverSynced: number;
  connectionCount: number;
  /** Connection id → its problem, for connected connections that have one. */
  problems: Record<string, SyncProblem>;
  /** Disconnected connections whose holdings the user kept: frozen on purpose, never synced again. */
  frozen: string[];
}

/** How current the portfolio is, from the user's connected exchanges (one small query, no holdings). */
export async function getPortfolioFreshness(
  userId: string,
  now: Date = new Date(),
  db: Database = getDb(),
): Promise<PortfolioFreshness> {
  const rows = await db
    .select({
      id: exchangeConnections.id,
      status: exchangeConnections.status,
      autoSync: exchangeConnections.autoSync,
      syncIntervalSeconds: exchangeConnections.syncIntervalSeconds,
      lastSuccessAt: exchangeConnections.lastSuccessAt,
      createdAt: exchangeConnections.createdAt,
      disconnectedAt: exchangeConnections.disconnectedAt,
    })
    .from(exchangeConnections)
    .where(eq(exchangeConnections.userId, userId));

  let oldestSyncAt: Date | null = null;
  let neverSynced = 0;
  const problems: Record<string, SyncProblem> = {};
  const frozen: string[] = [];
  let connectionCount = 0;
  for (const row of rows) {
    if (row.disconnectedAt) {
      frozen.push(row.id);
      continue;
    }
    connectionCount += 1;
    if (!row.lastSuccessAt) neverSynced += 1;
    else if (!oldestSyncAt || row.lastSuccessAt < oldestSyncAt) oldestSyncAt = row.lastSuccessAt;
    const problem = syncProblem(row, now);
    if (problem) problems[row.id] = problem;
  }
  return { oldestSyncAt, neverSynced, connectionCount, problems, frozen };
}
