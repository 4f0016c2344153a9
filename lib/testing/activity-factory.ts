// Test data for the activity page, its exports and reconciliation: activity_entries rows as the import
// stores them, and the import's state (history_imports, history_streams). Users and connections come from
// factories.ts. Rows are built by plain functions (e2e inserts them through its own client) and inserted here.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { activityEntries, historyImports, historyStreams, type ActivityKind, type ActivityStatus } from '@/db/schema';

export interface TestActivityEntry {
  kind?: ActivityKind;
  externalId?: string;
  occurredAt: Date;
  asset: string;
  amount: string;
  counterAsset?: string | null;
  counterAmount?: string | null;
  price?: string | null;
  feeAsset?: string | null;
  feeAmount?: string | null;
  status?: ActivityStatus;
  network?: string | null;
  txHash?: string | null;
  note?: string | null;
  stream?: string;
}

export type ActivityRow = typeof activityEntries.$inferInsert;

/** The row the import would store for `entry` (random external id unless given). */
export function activityRow(userId: string, connectionId: string, entry: TestActivityEntry): ActivityRow {
  const kind = entry.kind ?? 'trade';
  return {
    userId,
    connectionId,
    kind,
    externalId: entry.externalId ?? `test-${randomUUID()}`,
    occurredAt: entry.occurredAt,
    asset: entry.asset,
    amount: entry.amount,
    counterAsset: entry.counterAsset ?? null,
    counterAmount: entry.counterAmount ?? null,
    price: entry.price ?? null,
    feeAsset: entry.feeAsset ?? null,
    feeAmount: entry.feeAmount ?? null,
    status: entry.status ?? 'ok',
    network: entry.network ?? null,
    txHash: entry.txHash ?? null,
    note: entry.note ?? null,
    stream: entry.stream ?? (kind === 'trade' ? 'trades' : `${kind}s`),
  };
}

/** Inserts the entries; answers their ids in order. */
export async function insertActivity(
  userId: string,
  connectionId: string,
  entries: TestActivityEntry[],
  db: Database = getDb(),
): Promise<string[]> {
  if (entries.length === 0) return [];
  const rows = await db
    .insert(activityEntries)
    .values(entries.map((entry) => activityRow(userId, connectionId, entry)))
    .returning({ id: activityEntries.id });
  return rows.map((row) => row.id);
}

/**
 * `count` trades for one connection in one statement (benches, pagination tests): BTC bought for USDT, a
 * minute apart going back from `newest`, every tenth a deposit, every seventh on the same instant as the
 * one before (so the keyset's id tie-break is exercised).
 */
export async function insertActivitySeries(
  db: Database,
  input: { userId: string; connectionId: string; count: number; newest: Date; prefix?: string },
): Promise<void> {
  const prefix = input.prefix ?? randomUUID().slice(0, 8);
  await db.execute(sql`
    insert into activity_entries (user_id, connection_id, kind, external_id, occurred_at, asset, amount,
      counter_asset, counter_amount, price, fee_asset, fee_amount, status, stream)
    select ${input.userId}::uuid, ${input.connectionId}::uuid,
      case when n % 10 = 0 then 'deposit' else 'trade' end,
      ${prefix} || '-' || n,
      ${input.newest.toISOString()}::timestamptz - make_interval(mins => n - (n % 7 = 0)::int),
      'BTC', (n % 97 + 1)::numeric * 0.001,
      case when n % 10 = 0 then null else 'USDT' end,
      case when n % 10 = 0 then null else -((n % 97 + 1)::numeric * 60) end,
      case when n % 10 = 0 then null else 60000 end,
      case when n % 10 = 0 then null else 'USDT' end,
      case when n % 10 = 0 then null else 0.1 end,
      'ok',
      case when n % 10 = 0 then 'deposits' else 'trades' end
    from generate_series(1, ${input.count}) n
  `);
}

export interface TestImportState {
  completeHistory?: boolean;
  state?: 'idle' | 'queued' | 'running' | 'succeeded' | 'failed';
  streams: Array<{ stream: string; backfilled: boolean; coveredFrom?: Date | null; entries?: number }>;
}

/** The import's state of a connection, as the engine leaves it. */
export async function insertImportState(
  userId: string,
  connectionId: string,
  input: TestImportState,
  db: Database = getDb(),
): Promise<void> {
  const backfilled = input.streams.every((stream) => stream.backfilled);
  await db.insert(historyImports).values({
    connectionId,
    userId,
    state: input.state ?? 'succeeded',
    phase: backfilled ? 'incremental' : 'backfill',
    completeHistory: input.completeHistory ?? false,
  });
  if (input.streams.length === 0) return;
  await db.insert(historyStreams).values(
    input.streams.map((stream) => ({
      connectionId,
      userId,
      stream: stream.stream,
      backfilled: stream.backfilled,
      coveredFrom: stream.coveredFrom ?? null,
      entries: stream.entries ?? 0,
    })),
  );
}
