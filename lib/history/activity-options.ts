import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { findExchange } from '@/lib/exchanges/catalog';
import { rowsOf } from '@/lib/sync/sql-rows';

// What the /activity filters offer: the user's connections (disconnected ones too: their history stays) and
// the assets their history and holdings name.

export interface ActivityConnectionOption {
  id: string;
  label: string;
  exchangeName: string;
  disconnected: boolean;
}

export async function activityConnections(userId: string, db: Database = getDb()): Promise<ActivityConnectionOption[]> {
  const result = await db.execute(sql`
    select id, label, exchange_id, disconnected_at is not null as disconnected
    from exchange_connections where user_id = ${userId}::uuid
    order by lower(label), id
  `);
  return rowsOf<{ id: string; label: string; exchange_id: string; disconnected: boolean }>(result).map((row) => ({
    id: row.id,
    label: row.label,
    exchangeName: findExchange(row.exchange_id)?.name ?? row.exchange_id,
    disconnected: row.disconnected,
  }));
}

const MAX_ASSET_SUGGESTIONS = 500;

/**
 * The assets of the user's entries and holdings, for the Asset field's suggestions. A skip scan of the
 * (connection_id, asset) index — one probe per distinct asset per connection — so 100,000 entries of a few
 * assets cost a few dozen index lookups, not a pass over every row.
 */
export async function activityAssets(userId: string, db: Database = getDb()): Promise<string[]> {
  const result = await db.execute(sql`
    with recursive seen(connection_id, asset) as (
      select c.id, (select min(e.asset) from activity_entries e where e.connection_id = c.id)
      from exchange_connections c where c.user_id = ${userId}::uuid
      union all
      select s.connection_id,
        (select min(e.asset) from activity_entries e where e.connection_id = s.connection_id and e.asset > s.asset)
      from seen s where s.asset is not null
    )
    select asset from seen where asset is not null
    union
    select asset from holdings where user_id = ${userId}::uuid
    order by 1
    limit ${MAX_ASSET_SUGGESTIONS}
  `);
  return rowsOf<{ asset: string }>(result).map((row) => row.asset);
}
