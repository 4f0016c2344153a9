import 'server-only';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { addDecimals, isZero } from '@/lib/exchanges/amounts';
import type { BalanceResult, BalanceRow } from '@/lib/exchanges/types';
import { PENDING_RUN_STATUSES, clipError } from './runs';

// Plain decimal strings as the exchange layer writes them ("0.00000001", never "1e-8" or a float).
const DECIMAL = /^-?\d{1,40}(\.\d{1,40})?$/;
const MAX_NAME_LENGTH = 100;
const MAX_WARNINGS = 20;
const HOUR_MS = 60 * 60 * 1000;

/** The balances to apply are not what the exchange layer produces; nothing was written. */
export class MalformedBalancesError extends Error {
  constructor(detail: string) {
    super(`Malformed balances: ${detail}`);
    this.name = 'MalformedBalancesError';
  }
}

/**
 * The result was not applied: the connection was disconnected or deleted, or the run is no longer
 * queued or running (finished, stale, failed), so newer balances may already be in place.
 */
export class SyncNotAppliedError extends Error {
  constructor(readonly reason: 'connection_gone' | 'run_not_pending') {
    super(reason === 'connection_gone' ? 'The connection no longer exists' : 'The run is no longer queued or running');
    this.name = 'SyncNotAppliedError';
  }
}

export interface SyncResultInput {
  connectionId: string;
  runId: string;
  result: BalanceResult;
  now?: Date;
}

/**
 * Checks every row and merges rows of the same (asset, wallet) — the holdings upsert could not touch a
 * row twice — and drops empty rows, so an asset sold to zero disappears. Throws before any write.
 */
export function normalizeBalanceRows(rows: unknown): BalanceRow[] {
  if (!Array.isArray(rows)) throw new MalformedBalancesError('rows is not a list');
  const merged = new Map<string, BalanceRow>();
  rows.forEach((row: Partial<BalanceRow> | null, index) => {
    const { asset, wallet, free, used, total } = row ?? {};
    const named = (value: unknown): value is string =>
      typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
    const amount = (value: unknown): value is string => typeof value === 'string' && DECIMAL.test(value);
    if (!named(asset) || !named(wallet)) throw new MalformedBalancesError(`row ${index} has no asset or wallet`);
    if (!amount(free) || !amount(used) || !amount(total)) {
      throw new MalformedBalancesError(`row ${index} has an amount that is not a decimal number`);
    }
    const key = `${wallet}\u0000${asset}`;
    const previous = merged.get(key);
    merged.set(
      key,
      previous
        ? {
            asset,
            wallet,
            free: addDecimals(previous.free, free),
            used: addDecimals(previous.used, used),
            total: addDecimals(previous.total, total),
          }
        : { asset, wallet, free, used, total },
    );
  });
  return [...merged.values()].filter((row) => !(isZero(row.total) && isZero(row.free) && isZero(row.used)));
}

function normalizeWarnings(warnings: unknown): string[] {
  if (!Array.isArray(warnings)) return [];
  return warnings
    .filter((warning): warning is string => typeof warning === 'string')
    .slice(0, MAX_WARNINGS)
    .map(clipError);
}

function startOfHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * Writes a successful read in one transaction, holding the connection row's lock so two syncs of one
 * connection never interleave. A constant number of statements whatever the number of assets: the rows
 * travel as one JSON parameter that each statement expands with jsonb_to_recordset.
 * Returns what the run recorded.
 */
export async function writeSyncResult(
  input: SyncResultInput,
  db: Database = getDb(),
): Promise<{ assets: number; warnings: string[] }> {
  const rows = normalizeBalanceRows(input.result?.rows);
  const warnings = normalizeWarnings(input.result?.warnings);
  const assets = new Set(rows.map((row) => row.asset)).size;
  const now = input.now ?? new Date();
  const nowIso = now.toISOString();
  const hourIso = startOfHour(now).toISOString();
  const connectionId = input.connectionId;
  const incoming = sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
    as r(asset text, wallet text, free numeric, used numeric, total numeric)`;

  await db.transaction(async (tx) => {
    const [target] = await tx
      .select({
        userId: exchangeConnections.userId,
        intervalSeconds: exchangeConnections.syncIntervalSeconds,
        runStatus: syncRuns.status,
      })
      .from(exchangeConnections)
      .leftJoin(syncRuns, and(eq(syncRuns.id, input.runId), eq(syncRuns.connectionId, exchangeConnections.id)))
      .where(and(eq(exchangeConnections.id, connectionId), isNull(exchangeConnections.disconnectedAt)))
      .for('update', { of: exchangeConnections });
    if (!target) throw new SyncNotAppliedError('connection_gone');
    if (target.runStatus !== 'queued' && target.runStatus !== 'running') {
      throw new SyncNotAppliedError('run_not_pending');
    }

    // The statements below compare the incoming rows with the stored ones through correlated scalar
    // subqueries and NOT IN, which PostgreSQL runs as one index probe per row or one hash: never as a
    // nested loop over both sets, a plan it may pick for joins when its row estimates are stale.

    // Rows whose amounts did not move are left out, not even locked: most syncs change few balances.
    // (The connection lock keeps other syncs from changing these rows meanwhile.)
    await tx.execute(sql`
      insert into holdings (connection_id, user_id, asset, wallet, free, used, total, updated_at)
      select ${connectionId}::uuid, ${target.userId}::uuid, r.asset, r.wallet, r.free, r.used, r.total,
        ${nowIso}::timestamptz
      from ${incoming}
      where not coalesce((
        select h.free = r.free and h.used = r.used and h.total = r.total from holdings h
        where h.connection_id = ${connectionId}::uuid and h.asset = r.asset and h.wallet = r.wallet), false)
      on conflict (connection_id, asset, wallet) do update
        set free = excluded.free, used = excluded.used, total = excluded.total, updated_at = excluded.updated_at`);

    // Assets sold to zero or no longer reported (asset and wallet are never null, so NOT IN is exact).
    await tx.execute(sql`
      delete from holdings h
      where h.connection_id = ${connectionId}::uuid
        and (h.asset, h.wallet) not in (select r.asset, r.wallet from ${incoming})`);

    // The hour's row holds the latest total per asset across wallets; an asset recorded earlier this
    // hour and gone now is set to 0 rather than left at its old amount. Unchanged totals are left out.
    await tx.execute(sql`
      insert into balance_history (connection_id, asset, hour, total)
      select ${connectionId}::uuid, t.asset, ${hourIso}::timestamptz, t.total
      from (
        select u.asset, sum(u.total) as total
        from (
          select r.asset, r.total from ${incoming}
          union all
          select b.asset, 0 from balance_history b
          where b.connection_id = ${connectionId}::uuid and b.hour = ${hourIso}::timestamptz
        ) as u
        group by u.asset
      ) as t
      where not coalesce((
        select b.total = t.total from balance_history b
        where b.connection_id = ${connectionId}::uuid and b.asset = t.asset and b.hour = ${hourIso}::timestamptz), false)
      on conflict (connection_id, asset, hour) do update set total = excluded.total`);

    await tx
      .update(exchangeConnections)
      .set({
        // 'disabled' is an operator's decision that a successful read must not undo.
        status: sql`case when ${exchangeConnections.status} = 'disabled' then 'disabled' else 'active' end`,
        lastSyncAt: now,
        lastSuccessAt: now,
        nextSyncAt: new Date(now.getTime() + target.intervalSeconds * 1000),
        lastError: null,
        consecutiveFailures: 0,
        blockedUntil: null,
        updatedAt: now,
      })
      .where(eq(exchangeConnections.id, connectionId));

    const finished = await tx
      .update(syncRuns)
      .set({
        status: 'succeeded',
        // The connect flow applies balances it already read, so its run goes from queued to succeeded.
        startedAt: sql`coalesce(${syncRuns.startedAt}, ${nowIso}::timestamptz)`,
        attempts: sql`greatest(${syncRuns.attempts}, 1)`,
        finishedAt: now,
        assetsCount: assets,
        warnings,
        errorKind: null,
        error: null,
      })
      .where(and(eq(syncRuns.id, input.runId), inArray(syncRuns.status, [...PENDING_RUN_STATUSES])))
      .returning({ id: syncRuns.id });
    // Marked stale or failed since the check above: roll the writes back.
    if (finished.length === 0) throw new SyncNotAppliedError('run_not_pending');
  });
  return { assets, warnings };
}

/**
 * The success path of a sync, also used by the connect flow with the balances its connection test
 * already read (no second exchange call). Throws MalformedBalancesError or SyncNotAppliedError when
 * nothing was written.
 */
export async function applySyncResult(input: SyncResultInput, db: Database = getDb()): Promise<void> {
  await writeSyncResult(input, db);
}
