import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { findExchange } from '@/lib/exchanges/catalog';
import { BALANCE_SUFFIX_PATTERN } from '@/lib/prices/assets';
import { rowsOf, textArrayLiteral } from '@/lib/sync/sql-rows';
import { conversionRate } from '@/lib/valuation/conversion';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import type { DisplayCurrency } from '@/lib/valuation/types';
import { decodeActivityCursor, encodeActivityCursor, type ActivityCursor } from './activity-cursor';
import {
  parseActivityInput,
  type ActivityFilters,
  type ActivityInputErrors,
  type ActivityKind,
  type ActivityStatus,
} from './activity-filters';
import { entryValue, type ValueContext } from './activity-value';
import { endOfDayIn, startOfDayIn } from './zoned-day';

export const ACTIVITY_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1_000;
/** Exchanges whose fiat pairs are preferred for the display currency's rate (as lib/valuation/conversion). */
const RATE_SOURCES = ['kraken', 'coinbase'];

/** One entry as the page and the exports show it. Amounts are exact decimal strings, signed as the balance changed. */
export interface ActivityEntryView {
  id: string;
  connectionId: string;
  connectionLabel: string;
  exchangeId: string;
  exchangeName: string;
  kind: ActivityKind;
  externalId: string;
  /** ISO, milliseconds. */
  occurredAt: string;
  asset: string;
  amount: string;
  counterAsset: string | null;
  counterAmount: string | null;
  price: string | null;
  feeAsset: string | null;
  feeAmount: string | null;
  status: ActivityStatus;
  network: string | null;
  txHash: string | null;
  note: string | null;
  /** Its worth at its hour in the page's currency (a magnitude); null = no price for that hour. */
  value: string | null;
}

export interface ActivityPage {
  entries: ActivityEntryView[];
  /** The currency of every value: the display currency, or USD when no exchange quotes a rate for it. */
  currency: DisplayCurrency;
  requestedCurrency: DisplayCurrency;
  /** Opaque; null when there is nothing newer / older. */
  newerCursor: string | null;
  olderCursor: string | null;
}

export interface ActivityQueryOptions {
  /** Rows per page (default 50, at most 1,000). */
  limit?: number;
  /** The reader's IANA time zone: From and To are their days. UTC when null. */
  timeZone?: string | null;
  db?: Database;
}

export type ActivityQueryResult =
  | { ok: true; filters: ActivityFilters; page: ActivityPage }
  | { ok: false; filters: ActivityFilters; errors: ActivityInputErrors };

export const BAD_CURSOR_MESSAGE = 'This page link is out of date or damaged: start again from the newest entries.';

/**
 * The user's activity, newest first, one page of it: URL parameters in (connection, asset, kind, from, to,
 * cursor), checked; a bad one is answered by field, never queried.
 */
export async function queryActivity(
  userId: string,
  params: Record<string, string | string[] | undefined> | URLSearchParams,
  options: ActivityQueryOptions = {},
): Promise<ActivityQueryResult> {
  const input = parseActivityInput(params);
  if (!input.ok) return { ok: false, filters: input.filters, errors: input.errors };
  let cursor: ActivityCursor | null = null;
  if (input.cursor) {
    cursor = decodeActivityCursor(input.cursor);
    if (!cursor) return { ok: false, filters: input.filters, errors: { cursor: BAD_CURSOR_MESSAGE } };
  }
  const db = options.db ?? getDb();
  const context = await valueContext(userId, db);
  const page = await activityPage(userId, input.filters, cursor, context, { ...options, db });
  return { ok: true, filters: input.filters, page };
}

/**
 * Every entry the filters select, newest first, read a thousand rows at a time along the same keyset as the
 * page (the exports stream it: memory stays flat however long the history).
 */
export async function* allActivity(
  userId: string,
  filters: ActivityFilters,
  options: ActivityQueryOptions = {},
): AsyncGenerator<ActivityEntryView & { currency: DisplayCurrency }> {
  const db = options.db ?? getDb();
  const context = await valueContext(userId, db);
  let cursor: ActivityCursor | null = null;
  for (;;) {
    const page = await activityPage(userId, filters, cursor, context, { ...options, db, limit: MAX_PAGE_SIZE });
    for (const entry of page.entries) yield { ...entry, currency: page.currency };
    if (!page.olderCursor) return;
    cursor = decodeActivityCursor(page.olderCursor);
  }
}

interface Context extends ValueContext {
  requestedCurrency: DisplayCurrency;
}

async function valueContext(userId: string, db: Database): Promise<Context> {
  const requestedCurrency = await getDisplayCurrency(userId, db);
  if (requestedCurrency === 'USD') return { requestedCurrency, currency: 'USD', currentRateUsd: null };
  const rate = await conversionRate(requestedCurrency, db);
  // No exchange quotes the currency at all: values stay in USD, and the page says so.
  if (!rate) return { requestedCurrency, currency: 'USD', currentRateUsd: null };
  return { requestedCurrency, currency: requestedCurrency, currentRateUsd: rate.usd };
}

interface Row {
  id: string;
  connection_id: string;
  label: string;
  exchange_id: string;
  kind: ActivityKind;
  external_id: string;
  occurred_key: string;
  asset: string;
  amount: string;
  counter_asset: string | null;
  counter_amount: string | null;
  price: string | null;
  fee_asset: string | null;
  fee_amount: string | null;
  status: ActivityStatus;
  network: string | null;
  tx_hash: string | null;
  note: string | null;
  asset_usd: string | null;
  counter_usd: string | null;
  fee_usd: string | null;
  rate_usd: string | null;
}

/** What the filters select, as SQL conditions on `e` (activity_entries); always this user's rows only. */
function conditions(userId: string, filters: ActivityFilters, timeZone: string | null): SQL[] {
  const where: SQL[] = [sql`e.user_id = ${userId}::uuid`];
  if (filters.connectionId) where.push(sql`e.connection_id = ${filters.connectionId}::uuid`);
  if (filters.kind) where.push(sql`e.kind = ${filters.kind}`);
  if (filters.asset) {
    // Every entry that moved the asset: as its asset, its trade's other side, or its fee.
    const asset = filters.asset.toUpperCase();
    where.push(sql`(upper(e.asset) = ${asset} or upper(e.counter_asset) = ${asset} or upper(e.fee_asset) = ${asset})`);
  }
  if (filters.from)
    where.push(sql`e.occurred_at >= ${startOfDayIn(filters.from, timeZone).toISOString()}::timestamptz`);
  if (filters.to) where.push(sql`e.occurred_at < ${endOfDayIn(filters.to, timeZone).toISOString()}::timestamptz`);
  return where;
}

/** The exchanges a price may come from: those Coinsphere prices on, and the user's own. A handful. */
export async function priceExchanges(userId: string, db: Database): Promise<string[]> {
  const result = await db.execute(sql`
    select exchange_id from asset_prices group by exchange_id
    union
    select exchange_id from exchange_connections where user_id = ${userId}::uuid
  `);
  return rowsOf<{ exchange_id: string }>(result).map((row) => row.exchange_id);
}

export interface ActivityPageQueryInput {
  userId: string;
  filters: ActivityFilters;
  cursor: ActivityCursor | null;
  limit: number;
  currency: DisplayCurrency;
  /** Where prices may come from (priceExchanges). */
  exchanges: string[];
  timeZone: string | null;
}

/** The statement of one page (exported for the plan check: it must seek activity_entries_user_time_idx). */
export function activityPageQuery(input: ActivityPageQueryInput): SQL {
  const newer = input.cursor?.direction === 'newer';
  const where = conditions(input.userId, input.filters, input.timeZone);
  if (input.cursor) {
    const { occurredAt, id } = input.cursor;
    // A row comparison: the index on (user_id, occurred_at, id) seeks straight to it, however deep the page.
    where.push(
      newer
        ? sql`(e.occurred_at, e.id) > (${occurredAt}::timestamptz, ${id}::uuid)`
        : sql`(e.occurred_at, e.id) < (${occurredAt}::timestamptz, ${id}::uuid)`,
    );
  }
  const order = newer ? sql`e.occurred_at asc, e.id asc` : sql`e.occurred_at desc, e.id desc`;
  const exchanges = textArrayLiteral(input.exchanges);
  const hour = sql`date_trunc('hour', p.occurred_at, 'UTC')`;
  const rate =
    input.currency === 'USD'
      ? sql`null::text`
      : sql`(select ph.usd::text from price_history ph
          where ph.asset = ${input.currency} and ph.exchange_id = any(${exchanges}::text[]) and ph.hour = ${hour}
          order by array_position(${textArrayLiteral(RATE_SOURCES)}::text[], ph.exchange_id) nulls last, ph.exchange_id
          limit 1)`;
  // The page is cut first (a keyset range of the index), then only its rows are priced: one primary-key
  // probe of price_history per exchange, the entry's own exchange preferred.
  return sql`
    with page as (
      select e.* from activity_entries e
      where ${sql.join(where, sql` and `)}
      order by ${order}
      limit ${input.limit + 1}
    )
    select p.id, p.connection_id, c.label, c.exchange_id, p.kind, p.external_id,
      to_char(p.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_key,
      p.asset, p.amount::text as amount, p.counter_asset, p.counter_amount::text as counter_amount,
      p.price::text as price, p.fee_asset, p.fee_amount::text as fee_amount, p.status, p.network, p.tx_hash, p.note,
      (select ph.usd::text from price_history ph
        where ph.asset = regexp_replace(p.asset, ${BALANCE_SUFFIX_PATTERN}, '')
          and ph.exchange_id = any(${exchanges}::text[]) and ph.hour = ${hour}
        order by ph.exchange_id = c.exchange_id desc, ph.exchange_id limit 1) as asset_usd,
      (select ph.usd::text from price_history ph
        where p.counter_asset is not null
          and ph.asset = regexp_replace(p.counter_asset, ${BALANCE_SUFFIX_PATTERN}, '')
          and ph.exchange_id = any(${exchanges}::text[]) and ph.hour = ${hour}
        order by ph.exchange_id = c.exchange_id desc, ph.exchange_id limit 1) as counter_usd,
      (select ph.usd::text from price_history ph
        where p.fee_asset is not null and p.amount = 0 and coalesce(p.counter_amount, 0) = 0
          and ph.asset = regexp_replace(p.fee_asset, ${BALANCE_SUFFIX_PATTERN}, '')
          and ph.exchange_id = any(${exchanges}::text[]) and ph.hour = ${hour}
        order by ph.exchange_id = c.exchange_id desc, ph.exchange_id limit 1) as fee_usd,
      ${rate} as rate_usd
    from page p
    join exchange_connections c on c.id = p.connection_id
    order by ${newer ? sql`p.occurred_at asc, p.id asc` : sql`p.occurred_at desc, p.id desc`}
  `;
}

async function activityPage(
  userId: string,
  filters: ActivityFilters,
  cursor: ActivityCursor | null,
  context: Context,
  options: ActivityQueryOptions & { db: Database },
): Promise<ActivityPage> {
  const { db } = options;
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? ACTIVITY_PAGE_SIZE)), MAX_PAGE_SIZE);
  const newer = cursor?.direction === 'newer';
  const query = activityPageQuery({
    userId,
    filters,
    cursor,
    limit,
    currency: context.currency,
    exchanges: await priceExchanges(userId, db),
    timeZone: options.timeZone ?? null,
  });
  const result = await db.execute(query);
  const rows = rowsOf<Row>(result);
  const more = rows.length > limit;
  const kept = rows.slice(0, limit);
  if (newer) {
    // Back at the top: the newest page, exactly as a first visit shows it (never a short one).
    if (!more) return activityPage(userId, filters, null, context, options);
    kept.reverse();
  }
  const entries = kept.map((row) => toView(row, context));
  const first = kept[0];
  const last = kept.at(-1);
  const position = (row: Row, direction: 'older' | 'newer') =>
    encodeActivityCursor({ direction, occurredAt: row.occurred_key, id: row.id });
  return {
    entries,
    currency: context.currency,
    requestedCurrency: context.requestedCurrency,
    // Coming from a cursor, there is something on the other side of it (at least the row it names).
    newerCursor: first && (newer ? more : cursor !== null) ? position(first, 'newer') : null,
    olderCursor: last && (newer || more) ? position(last, 'older') : null,
  };
}

function toView(row: Row, context: ValueContext): ActivityEntryView {
  return {
    id: row.id,
    connectionId: row.connection_id,
    connectionLabel: row.label,
    exchangeId: row.exchange_id,
    exchangeName: findExchange(row.exchange_id)?.name ?? row.exchange_id,
    kind: row.kind,
    externalId: row.external_id,
    occurredAt: new Date(row.occurred_key).toISOString(),
    asset: row.asset,
    amount: row.amount,
    counterAsset: row.counter_asset,
    counterAmount: row.counter_amount,
    price: row.price,
    feeAsset: row.fee_asset,
    feeAmount: row.fee_amount,
    status: row.status,
    network: row.network,
    txHash: row.tx_hash,
    note: row.note,
    value: entryValue(
      {
        asset: row.asset,
        amount: row.amount,
        counterAsset: row.counter_asset,
        counterAmount: row.counter_amount,
        assetUsd: row.asset_usd,
        counterUsd: row.counter_usd,
        feeAsset: row.fee_asset,
        feeAmount: row.fee_amount,
        feeUsd: row.fee_usd,
        rateUsd: row.rate_usd,
      },
      context,
    ),
  };
}
