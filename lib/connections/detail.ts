import 'server-only';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { holdings, syncRuns, type SyncStatus, type SyncTrigger } from '@/db/schema';
import { normalizeDecimal } from '@/lib/portfolios/holdings';
import { isConnectionId } from './schemas';

export interface ConnectionHolding {
  wallet: string;
  asset: string;
  free: string;
  used: string;
  total: string;
}

/** One connection's holdings, by wallet then asset; empty for a connection that is not the user's. */
export async function getConnectionHoldings(
  userId: string,
  connectionId: string,
  db: Database = getDb(),
): Promise<ConnectionHolding[]> {
  if (!isConnectionId(connectionId)) return [];
  const rows = await db
    .select({
      wallet: holdings.wallet,
      asset: holdings.asset,
      free: sql<string>`${holdings.free}::text`,
      used: sql<string>`${holdings.used}::text`,
      total: sql<string>`${holdings.total}::text`,
    })
    .from(holdings)
    .where(and(eq(holdings.connectionId, connectionId), eq(holdings.userId, userId)))
    .orderBy(asc(holdings.wallet), asc(holdings.asset));
  return rows.map((row) => ({
    ...row,
    free: normalizeDecimal(row.free),
    used: normalizeDecimal(row.used),
    total: normalizeDecimal(row.total),
  }));
}

export interface SyncRunDto {
  id: string;
  trigger: SyncTrigger;
  status: SyncStatus;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  attempts: number;
  assetsCount: number | null;
  warnings: string[];
  /** Redacted, plain English. */
  error: string | null;
}

export const SYNC_HISTORY_LIMIT = 20;

/** The connection's latest runs, newest first (the sync_runs_connection_idx index serves this). */
export async function listSyncRuns(
  userId: string,
  connectionId: string,
  limit = SYNC_HISTORY_LIMIT,
  db: Database = getDb(),
): Promise<SyncRunDto[]> {
  if (!isConnectionId(connectionId)) return [];
  return db
    .select({
      id: syncRuns.id,
      trigger: syncRuns.trigger,
      status: syncRuns.status,
      queuedAt: syncRuns.queuedAt,
      startedAt: syncRuns.startedAt,
      finishedAt: syncRuns.finishedAt,
      attempts: syncRuns.attempts,
      assetsCount: syncRuns.assetsCount,
      warnings: syncRuns.warnings,
      error: syncRuns.error,
    })
    .from(syncRuns)
    .where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.userId, userId)))
    .orderBy(desc(syncRuns.queuedAt), desc(syncRuns.id))
    .limit(limit);
}
