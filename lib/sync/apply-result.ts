import 'server-only';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { addDecimals, isZero } from '@/lib/exchanges/amounts';
import type { BalanceResult, BalanceRow } from '@/lib/exchanges/types';
import { clipError } from './runs';
import { rowsOf, textArrayLiteral } from './sql-rows';
import { connectionTransitionSql, runTransitionSql } from './state';

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

const NOT_APPLIED = {
  connection_gone: 'The connection no longer exists',
  connection_disabled: 'The connection is disabled',
  run_not_pending: 'The run is no longer queued or running',
} as const;

/**
 * The result was not applied: the connection was disconnected, deleted or disabled, or the run is no
 * longer queued or running (finished, stale, failed), so newer balances may already be in place.
 */
export class SyncNotAppliedError extends Error {
  constructor(readonly reason: keyof typeof NOT_APPLIED) {
    super(NOT_APPLIED[reason]);
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

/** Wallet names, as the rows name them; anything else is dropped (it could match no stored row). */
function normalizeUnreadWallets(wallets: unknown): string[] {
  if (!Array.isArray(wallets)) return [];
  return wallets.filter(
    (wallet): wallet is string => typeof wallet === 'string' && wallet.length > 0 && wallet.length <= MAX_NAME_LENGTH,
  );
}

function startOfHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** The same for amounts already checked against DECIMAL, which need no quoting. */
function decimalArrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/**
 * Writes a successful read in one transaction, holding the connection row's lock so two syncs of one
 * connection never interleave. A constant number of statements whatever the number of assets: the rows
 * travel as five array parameters (one per column) that a single statement unnests once.
 * Returns what the run recorded.
 */
export async function writeSyncResult(
  input: SyncResultInput,
  db: Database = getDb(),
): Promise<{ assets: number; warnings: string[] }> {
  const rows = normalizeBalanceRows(input.result?.rows);
  const warnings = normalizeWarnings(input.result?.warnings);
  const unreadWallets = normalizeUnreadWallets(input.result?.unreadWallets);
  const assets = new Set(rows.map((row) => row.asset)).size;
  const now = input.now ?? new Date();
  const nowIso = now.toISOString();
  const hourIso = startOfHour(now).toISOString();
  const connectionId = input.connectionId;
  const connectionSynced = connectionTransitionSql('syncSucceeded', now);
  const runSucceeded = runTransitionSql('succeed');

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
    const nextSyncIso = new Date(now.getTime() + target.intervalSeconds * 1000).toISOString();

    // Everything else in one statement (one round trip), whatever the number of assets.
    // Holdings and the hour's history: the connection's stored rows are read once (one index range
    // scan each) and paired with the incoming ones by a hash full join, with no per-row index probe.
    // Changed rows are updated and vanished ones deleted by their row address (ctid), which stays
    // valid because the connection lock keeps every other writer of these rows out until we commit.
    // Unchanged rows are left alone, not even locked: most syncs change few balances. Amounts compare
    // as numbers, so "1.0" and "1.00" are the same amount. Every sub-statement sees the rows as they
    // were before the statement, and no two of them touch the same row.
    const [result] = rowsOf<{ finished: number; synced: number }>(
      await tx.execute(sql`
        with incoming as materialized (
          select * from unnest(${textArrayLiteral(rows.map((r) => r.asset))}::text[],
            ${textArrayLiteral(rows.map((r) => r.wallet))}::text[],
            ${decimalArrayLiteral(rows.map((r) => r.free))}::numeric[],
            ${decimalArrayLiteral(rows.map((r) => r.used))}::numeric[],
            ${decimalArrayLiteral(rows.map((r) => r.total))}::numeric[])
            as r(asset, wallet, free, used, total)
        ),
        -- A wallet that could not be read is not an empty one: its stored rows are left out of the
        -- pairing (neither updated nor deleted) and count, as they are, in the hour's totals.
        unread as (
          select unnest(${textArrayLiteral(unreadWallets)}::text[]) as wallet
        ),
        stored as (
          select h.ctid as row_id, h.asset, h.wallet, h.free, h.used, h.total
          from holdings h
          where h.connection_id = ${connectionId}::uuid and h.wallet not in (select wallet from unread)
        ),
        paired as materialized (
          select s.row_id, i.asset, i.wallet, i.free, i.used, i.total,
            (i.free, i.used, i.total) is distinct from (s.free, s.used, s.total) as changed
          from incoming i full join stored s on s.asset = i.asset and s.wallet = i.wallet
        ),
        updated_holdings as (
          update holdings h
          set free = p.free, used = p.used, total = p.total, updated_at = ${nowIso}::timestamptz
          from paired p
          where h.ctid = p.row_id and p.asset is not null and p.changed
        ),
        added_holdings as (
          insert into holdings (connection_id, user_id, asset, wallet, free, used, total, updated_at)
          select ${connectionId}::uuid, ${target.userId}::uuid, p.asset, p.wallet, p.free, p.used, p.total,
            ${nowIso}::timestamptz
          from paired p where p.row_id is null
          on conflict (connection_id, asset, wallet) do update
            set free = excluded.free, used = excluded.used, total = excluded.total, updated_at = excluded.updated_at
        ),
        -- Assets sold to zero or no longer reported.
        removed_holdings as (
          delete from holdings h using paired p where h.ctid = p.row_id and p.asset is null
        ),
        -- The hour's row holds the latest total per asset across wallets; an asset recorded earlier this
        -- hour and gone now is set to 0 rather than left at its old amount. Unchanged totals are left out.
        totals as (
          select asset, sum(total) as total from (
            select asset, total from incoming
            union all
            select h.asset, h.total from holdings h
            where h.connection_id = ${connectionId}::uuid and h.wallet in (select wallet from unread)
          ) readable group by asset
        ),
        stored_history as (
          select b.ctid as row_id, b.asset, b.total
          from balance_history b
          where b.connection_id = ${connectionId}::uuid and b.hour = ${hourIso}::timestamptz
        ),
        history as materialized (
          select s.row_id, coalesce(t.asset, s.asset) as asset, coalesce(t.total, 0) as total,
            coalesce(t.total, 0) is distinct from s.total as changed
          from totals t full join stored_history s on s.asset = t.asset
        ),
        updated_history as (
          update balance_history b set total = h.total from history h where b.ctid = h.row_id and h.changed
        ),
        added_history as (
          insert into balance_history (connection_id, asset, hour, total)
          select ${connectionId}::uuid, h.asset, ${hourIso}::timestamptz, h.total
          from history h where h.row_id is null
          on conflict (connection_id, asset, hour) do update set total = excluded.total
        ),
        -- Refused for a disabled connection: an operator's decision that a successful read must not undo.
        connection as (
          update exchange_connections
          set status = ${connectionSynced.status},
            last_sync_at = ${nowIso}::timestamptz, last_success_at = ${nowIso}::timestamptz,
            next_sync_at = ${nextSyncIso}::timestamptz, last_error = null, consecutive_failures = 0,
            blocked_until = null, updated_at = ${nowIso}::timestamptz
          where id = ${connectionId}::uuid and ${connectionSynced.guard}
          returning id
        ),
        finished as (
          update sync_runs
          set status = ${runSucceeded.status},
            -- The connect flow applies balances it already read, so its run goes from queued to succeeded.
            started_at = coalesce(started_at, ${nowIso}::timestamptz), attempts = greatest(attempts, 1),
            finished_at = ${nowIso}::timestamptz, assets_count = ${assets},
            warnings = ${JSON.stringify(warnings)}::jsonb, error_kind = null, error = null
          where id = ${input.runId}::uuid and ${runSucceeded.guard}
          returning id
        )
        select (select count(*)::int from finished) as finished, (select count(*)::int from connection) as synced`),
    );
    // Marked stale or failed since the check above, or the connection is disabled: roll the writes back.
    if (!result?.finished) throw new SyncNotAppliedError('run_not_pending');
    if (!result.synced) throw new SyncNotAppliedError('connection_disabled');
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
