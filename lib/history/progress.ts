import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import type { HistoryImportState } from '@/db/schema';
import { historyStrategyFor } from '@/lib/exchanges/history';
import { rowsOf } from '@/lib/sync/sql-rows';

/** A connection's history import as the connection page shows it: plain values, no cursor, no entry. */
export interface HistoryProgress {
  state: HistoryImportState;
  phase: 'backfill' | 'incremental';
  /** Entries imported so far, over every stream. */
  entries: number;
  /** The oldest time the imported history reaches (ISO), or null before the first page. */
  coveredFrom: string | null;
  /** When the last import ended (ISO): "checked 5 min ago". */
  finishedAt: string | null;
  /** Why the last import stopped: redacted, plain English. */
  lastError: string | null;
  /** What the exchange does not provide, in the user's words. */
  limits: string[];
  /** The strategy is tested against the simulator; otherwise best effort ("not verified"). */
  verified: boolean;
  completeHistory: boolean;
  /** The user may add a stream by hand (Binance: a market the account traded). */
  acceptsManualStream: boolean;
  /** Streams added by hand, by name. */
  manualStreams: string[];
}

/**
 * The history import of one of the user's connections, authorised in the query itself (connection
 * id AND user id), or null when there is none (or the connection is not the user's).
 */
export async function getHistoryProgress(
  userId: string,
  connectionId: string,
  db: Database = getDb(),
): Promise<HistoryProgress | null> {
  const [row] = rowsOf<{
    state: HistoryImportState;
    phase: 'backfill' | 'incremental';
    finished_at: Date | string | null;
    last_error: string | null;
    limits: string[] | string;
    complete_history: boolean;
    exchange_id: string;
    entries: number | string;
    covered_from: Date | string | null;
    manual: string[] | string | null;
  }>(
    await db.execute(sql`
      select h.state, h.phase, h.finished_at, h.last_error, h.limits, h.complete_history, c.exchange_id,
        coalesce(s.entries, 0) as entries, s.covered_from, s.manual
      from history_imports h
      join exchange_connections c on c.id = h.connection_id and c.user_id = h.user_id
      left join lateral (
        select sum(entries) as entries, min(covered_from) as covered_from,
          array_agg(stream order by stream) filter (where source = 'manual') as manual
        from history_streams where connection_id = h.connection_id and user_id = h.user_id
      ) s on true
      where h.connection_id = ${connectionId}::uuid and h.user_id = ${userId}::uuid`),
  );
  if (!row) return null;
  const strategy = historyStrategyFor(row.exchange_id);
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  return {
    state: row.state,
    phase: row.phase,
    entries: Number(row.entries),
    coveredFrom: iso(row.covered_from),
    finishedAt: iso(row.finished_at),
    lastError: row.last_error,
    limits: typeof row.limits === 'string' ? (JSON.parse(row.limits) as string[]) : row.limits,
    verified: strategy.verified,
    completeHistory: row.complete_history,
    acceptsManualStream: typeof strategy.acceptsManualStream === 'function',
    manualStreams: parseTextArray(row.manual),
  };
}

/** A text[] as the driver gives it: an array (postgres.js, PGlite) or, rarely, its literal. */
function parseTextArray(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean)
    .map((item) => item.replace(/^"|"$/g, ''));
}
