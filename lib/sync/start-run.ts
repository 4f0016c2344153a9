import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '@/db';
import { exchangeConnections, exchangeCredentials, syncRuns, type ConnectionStatus } from '@/db/schema';
import { rowsOf } from './sql-rows';
import { runTransitionSql } from './state';

export interface StartedRun {
  userId: string;
  /** The run's connection, when it still exists and is not disconnected. */
  connection: {
    exchangeId: string;
    sandbox: boolean;
    status: ConnectionStatus;
    /** The stored credential set, still sealed; null when the connection has none. */
    ciphertext: string | null;
  } | null;
}

/**
 * Starts an attempt of a run (`start`: queued or running → running, attempts + 1) and reads what the
 * attempt needs — the connection's exchange, sandbox flag and status and its sealed credentials — in
 * one statement, one round trip: a sync sends few statements, and each costs the app more CPU than
 * the reading of its rows. Answers null when the run is not queued or running (nothing changed).
 */
export async function startRun(
  runId: string,
  connectionId: string,
  db: Database,
  now: Date = new Date(),
): Promise<StartedRun | null> {
  const start = runTransitionSql('start');
  const [row] = rowsOf<{
    user_id: string;
    exchange_id: string | null;
    sandbox: boolean | null;
    status: ConnectionStatus | null;
    ciphertext: string | null;
  }>(
    await db.execute(sql`
      with run as (
        update ${syncRuns}
        set status = ${start.status}, attempts = ${syncRuns.attempts} + 1, started_at = ${now.toISOString()}::timestamptz
        where ${syncRuns.id} = ${runId}::uuid and ${syncRuns.connectionId} = ${connectionId}::uuid and ${start.guard}
        returning ${syncRuns.userId} as user_id
      )
      select run.user_id, c.exchange_id, c.sandbox, c.status, cr.ciphertext
      from run
      left join ${exchangeConnections} c
        on c.id = ${connectionId}::uuid and c.user_id = run.user_id and c.disconnected_at is null
      left join ${exchangeCredentials} cr on cr.connection_id = c.id and cr.user_id = run.user_id`),
  );
  if (!row) return null;
  return {
    userId: row.user_id,
    connection:
      row.exchange_id === null
        ? null
        : { exchangeId: row.exchange_id, sandbox: row.sandbox === true, status: row.status!, ciphertext: row.ciphertext },
  };
}
