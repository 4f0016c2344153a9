// Activity entries and import state for the browser tests, inserted as the history import stores them (rows
// built by lib/testing/activity-factory), through the suite's database client.
import { activityRow, type TestActivityEntry } from '@/lib/testing/activity-factory';
import { database } from './support';

/** The owner of a connection the test connected through the UI. */
export async function ownerOf(connectionId: string): Promise<string> {
  const [row] = await database()<{ user_id: string }[]>`
    select user_id from exchange_connections where id = ${connectionId}`;
  return row!.user_id;
}

export async function seedActivity(connectionId: string, entries: TestActivityEntry[]): Promise<void> {
  const userId = await ownerOf(connectionId);
  const rows = entries.map((entry) => {
    const row = activityRow(userId, connectionId, entry);
    return {
      user_id: row.userId,
      connection_id: row.connectionId,
      kind: row.kind,
      external_id: row.externalId,
      occurred_at: row.occurredAt,
      asset: row.asset,
      amount: row.amount,
      counter_asset: row.counterAsset ?? null,
      counter_amount: row.counterAmount ?? null,
      price: row.price ?? null,
      fee_asset: row.feeAsset ?? null,
      fee_amount: row.feeAmount ?? null,
      status: row.status ?? 'ok',
      network: row.network ?? null,
      tx_hash: row.txHash ?? null,
      note: row.note ?? null,
      stream: row.stream,
    };
  });
  const sql = database();
  await sql`insert into activity_entries ${sql(rows)}`;
}

/** The import finished: every stream backfilled; `complete` when the exchange's history covers the account's life. */
export async function markImported(connectionId: string, complete: boolean, coveredFrom: Date): Promise<void> {
  const userId = await ownerOf(connectionId);
  const sql = database();
  await sql`
    insert into history_imports (connection_id, user_id, state, phase, complete_history)
    values (${connectionId}, ${userId}, 'succeeded', 'incremental', ${complete})
    on conflict (connection_id) do update set state = 'succeeded', phase = 'incremental', complete_history = ${complete}`;
  await sql`
    insert into history_streams (connection_id, user_id, stream, backfilled, covered_from)
    values (${connectionId}, ${userId}, 'ledger', true, ${coveredFrom})
    on conflict (connection_id, stream) do update set backfilled = true, covered_from = ${coveredFrom}`;
  await sql`update history_streams set backfilled = true where connection_id = ${connectionId}`;
}
