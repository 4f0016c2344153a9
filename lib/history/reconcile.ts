import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { Dec, plain } from '@/lib/prices/decimal';
import { rowsOf } from '@/lib/sync/sql-rows';

// Reconciliation: per connection and asset, what the exchange reports (the last sync's holdings, summed over
// wallets) next to what the imported history adds up to, and the difference. Nothing is ever corrected: a
// difference is shown, and is only a warning when the history covers the account's whole life.

/**
 * complete: the exchange's history covers every balance change since the account opened and every stream is
 * backfilled — a difference is unexplained. partial: history windows (or a backfill still running), so the
 * calculation starts at `coveredFrom`. none: no history imported yet.
 */
export type ReconciliationCoverage = 'complete' | 'partial' | 'none';

export interface ReconciledAsset {
  asset: string;
  /** Sum of holdings.total over the connection's wallets ('0' when it holds none). */
  reported: string;
  /** Sum of the 'ok' entries' changes: amount, counter amount, minus fee ('0' when none). */
  calculated: string;
  /** reported − calculated. */
  difference: string;
  /** Non-zero difference on a complete history: "Unexplained difference". */
  unexplained: boolean;
}

export interface Reconciliation {
  connectionId: string;
  coverage: ReconciliationCoverage;
  /** The oldest time the history covers (the earliest stream's covered_from); null when unknown. */
  coveredFrom: Date | null;
  /** Assets where either side is non-zero, by name. */
  assets: ReconciledAsset[];
}

interface Row {
  asset: string;
  reported: string | null;
  calculated: string | null;
}

interface CoverageRow {
  complete_history: boolean | null;
  streams: number | string;
  backfilled: number | string;
  covered_from: string | Date | null;
}

/** One connection of the user (another user's id answers an empty, 'none' reconciliation). */
export async function reconcileConnection(
  userId: string,
  connectionId: string,
  db: Database = getDb(),
): Promise<Reconciliation> {
  // Each entry changes up to three balances; one pass over the connection's rows, summed as numeric.
  const sums = await db.execute(sql`
    with calculated as (
      select change.asset, sum(change.amount) as total
      from activity_entries e
      cross join lateral (values
        (e.asset, e.amount),
        (e.counter_asset, e.counter_amount),
        (e.fee_asset, -e.fee_amount)
      ) as change(asset, amount)
      where e.connection_id = ${connectionId}::uuid and e.user_id = ${userId}::uuid and e.status = 'ok'
        and change.asset is not null and change.amount is not null
      group by change.asset
    ),
    reported as (
      select asset, sum(total) as total from holdings
      where connection_id = ${connectionId}::uuid and user_id = ${userId}::uuid
      group by asset
    )
    select coalesce(r.asset, c.asset) as asset, r.total::text as reported, c.total::text as calculated
    from reported r full outer join calculated c on c.asset = r.asset
    order by 1
  `);
  const coverage = await db.execute(sql`
    select i.complete_history,
      (select count(*) from history_streams s where s.connection_id = ${connectionId}::uuid and s.user_id = ${userId}::uuid) as streams,
      (select count(*) from history_streams s
        where s.connection_id = ${connectionId}::uuid and s.user_id = ${userId}::uuid and s.backfilled) as backfilled,
      (select min(s.covered_from) from history_streams s
        where s.connection_id = ${connectionId}::uuid and s.user_id = ${userId}::uuid) as covered_from
    from (select 1) one
    left join history_imports i on i.connection_id = ${connectionId}::uuid and i.user_id = ${userId}::uuid
  `);
  const state = rowsOf<CoverageRow>(coverage)[0];
  const streams = Number(state?.streams ?? 0);
  const complete = state?.complete_history === true && streams > 0 && Number(state.backfilled) === streams;
  const coveredFrom = state?.covered_from ? new Date(state.covered_from) : null;

  const assets = rowsOf<Row>(sums).flatMap((row): ReconciledAsset[] => {
    const reported = new Dec(row.reported ?? 0);
    const calculated = new Dec(row.calculated ?? 0);
    if (reported.isZero() && calculated.isZero()) return [];
    const difference = reported.minus(calculated);
    return [
      {
        asset: row.asset,
        reported: plain(reported),
        calculated: plain(calculated),
        difference: plain(difference),
        unexplained: complete && !difference.isZero(),
      },
    ];
  });
  const imported = streams > 0 || assets.some((asset) => asset.calculated !== '0');
  return {
    connectionId,
    coverage: complete ? 'complete' : imported ? 'partial' : 'none',
    coveredFrom,
    assets,
  };
}
