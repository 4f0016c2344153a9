import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { BALANCE_SUFFIX_PATTERN, USD_PEGGED } from '@/lib/prices/assets';
import { Dec, DIVISION_PLACES, plain } from '@/lib/prices/decimal';
import { rowsOf, textArrayLiteral } from '@/lib/sync/sql-rows';
import { conversionRate } from './conversion';
import type { ChartRange, DisplayCurrency, ValueSeries } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Beyond this span the chart has a point a day instead of an hour. */
export const HOURLY_UP_TO_MS = 30 * DAY_MS;

/** Hourly ranges, by their number of points. */
const HOURLY: Partial<Record<ChartRange, number>> = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 };

interface Buckets {
  /** The first and last bucket's label (an hour, or a day's midnight UTC). */
  first: Date;
  last: Date;
  step: 'hour' | 'day';
}

function startOfHour(time: Date): Date {
  return new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
}

function startOfDay(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

function bucketsFor(range: ChartRange, now: Date, firstRecorded: Date | null): Buckets | null {
  const hour = startOfHour(now);
  const hours = HOURLY[range];
  if (hours) return { first: new Date(hour.getTime() - (hours - 1) * HOUR_MS), last: hour, step: 'hour' };
  if (range === '1y')
    return { first: new Date(startOfDay(now).getTime() - 364 * DAY_MS), last: startOfDay(now), step: 'day' };
  if (!firstRecorded) return null;
  if (hour.getTime() - firstRecorded.getTime() <= HOURLY_UP_TO_MS)
    return { first: startOfHour(firstRecorded), last: hour, step: 'hour' };
  return { first: startOfDay(firstRecorded), last: startOfDay(now), step: 'day' };
}

/**
 * The user's value (or one connection's) over `range`, a point an hour up to 30 days and a day
 * beyond, each at the prices of its time: a point sums every connection's holdings as last recorded
 * at or before it (balance_history keeps a full snapshot for every hour a sync ran) times each
 * asset's latest price at or before it, on the connection's exchange or else on another. A day's
 * point is its last hour (the current hour for today). Hours before anything was recorded have no
 * point; unpriced assets count for nothing. Values are converted at today's rate.
 */
export async function getValueSeries(
  userId: string,
  range: ChartRange,
  currency: DisplayCurrency,
  options: { connectionId?: string; now?: Date; db?: Database } = {},
): Promise<ValueSeries> {
  const db = options.db ?? getDb();
  const now = options.now ?? new Date();
  const connectionFilter = options.connectionId ? sql`and c.id = ${options.connectionId}::uuid` : sql``;
  let firstRecorded: Date | null = null;
  if (range === 'all') {
    const first = await db.execute(sql`
      select min(b.hour) as first from exchange_connections c
      join lateral (select hour from balance_history b where b.connection_id = c.id order by hour limit 1) b on true
      where c.user_id = ${userId}::uuid ${connectionFilter}
    `);
    const value = rowsOf<{ first: string | Date | null }>(first)[0]?.first;
    firstRecorded = value ? new Date(value) : null;
  }
  const buckets = bucketsFor(range, now, firstRecorded);
  const conversion = await conversionRate(currency, db);
  const seriesCurrency = conversion || currency === 'USD' ? currency : 'USD';
  if (!buckets) return { currency: seriesCurrency, range, points: [] };

  const nowHour = startOfHour(now).toISOString();
  const offset = buckets.step === 'day' ? '23 hours' : '0 hours';
  // Computing past points stores them (one statement), so it runs in a transaction; the plan is a few
  // thousand index lookups, but its cost estimate (the points are not known to the
  // planner) would switch JIT compilation on, which costs more than the query; it is off for this one.
  // The whole portfolio's past points are kept per user too (portfolio_values): a year's chart of
  // 50 connections then reads 365 values, not 365 per connection. One connection's chart skips it.
  const userTotals = !options.connectionId;
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return tx.execute(sql`
    with conns as (
      select c.id, c.exchange_id, c.disconnected_at,
        exists (select 1 from holdings h where h.connection_id = c.id) as kept
      from exchange_connections c
      where c.user_id = ${userId}::uuid ${connectionFilter}
    ),
    buckets as materialized (
      select g as label, least(g + ${offset}::interval, ${nowHour}::timestamptz) as t
      from generate_series(${buckets.first.toISOString()}::timestamptz, ${buckets.last.toISOString()}::timestamptz,
        ${`1 ${buckets.step}`}::interval) g
    ),
    -- The user's totals of past points computed before: one index range.
    user_cached as materialized (
      select b.label, v.usd
      from portfolio_values v
      join buckets b on b.t = v.at
      where ${userTotals} and v.user_id = ${userId}::uuid
        and v.at between (select min(t) from buckets) and (select max(t) from buckets)
    ),
    -- The points still to compute: usually only the current hour once the user's totals are kept.
    missing as materialized (
      select b.label, b.t from buckets b where not exists (select 1 from user_cached u where u.label = b.label)
    ),
    -- Values of past points computed before (see connection_values): one index range per connection,
    -- not a lookup per point and connection, nor a scan of every user's values.
    cached as materialized (
      select m.label, m.t, v.connection_id, v.usd
      from conns c
      join connection_values v on v.connection_id = c.id
        and v.at between (select min(t) from missing) and (select max(t) from missing)
      join missing m on m.t = v.at
    ),
    latest as materialized (
      select b.label, b.t, c.id, c.exchange_id, last_hour.hour,
        -- Past hours only, and connections that still sync (a disconnect can change what counts after it).
        b.t < ${nowHour}::timestamptz and c.disconnected_at is null as cacheable
      from missing b
      cross join conns c
      join lateral (
        select bh.hour from balance_history bh
        where bh.connection_id = c.id and bh.hour <= b.t
        order by bh.hour desc limit 1
      ) last_hour on true
      -- A removed connection's last snapshot stops counting when it was disconnected.
      where (c.disconnected_at is null or c.kept or b.t < c.disconnected_at)
        and not exists (select 1 from cached k where k.label = b.label and k.connection_id = c.id)
    ),
    amounts as materialized (
      select l.label, l.t, l.id as connection_id, l.exchange_id, l.cacheable, snapshot.price_key,
        sum(snapshot.total) as total
      from latest l
      -- Lateral and fenced (offset 0), so each snapshot is read through the (connection_id, hour) index:
      -- estimating the points badly, the planner would otherwise merge-join the user's whole history.
      cross join lateral (
        select regexp_replace(bh.asset, ${BALANCE_SUFFIX_PATTERN}, '') as price_key, bh.total
        from balance_history bh where bh.connection_id = l.id and bh.hour = l.hour
        offset 0
      ) snapshot
      group by 1, 2, 3, 4, 5, 6
    ),
    -- Each price looked up once per point, exchange and asset, however many connections hold it.
    wanted as materialized (select distinct t, exchange_id, price_key from amounts),
    prices as materialized (
      select w.t, w.exchange_id, w.price_key,
        case when w.price_key = any(${textArrayLiteral([...USD_PEGGED])}::text[]) then 1
          else coalesce(own.usd, other.usd) end as usd
      from wanted w
      left join lateral (
        select p.usd from price_history p
        where p.asset = w.price_key and p.exchange_id = w.exchange_id and p.hour <= w.t
        order by p.hour desc limit 1
      ) own on true
      left join lateral (
        select p.usd from price_history p
        where own.usd is null and p.asset = w.price_key and p.hour <= w.t
        order by p.hour desc, p.exchange_id limit 1
      ) other on true
    ),
    computed as materialized (
      select a.label, a.t, a.connection_id, a.cacheable, coalesce(sum(a.total * p.usd), 0) as usd
      from amounts a
      join prices p on p.t = a.t and p.exchange_id = a.exchange_id and p.price_key = a.price_key
      group by 1, 2, 3, 4
    ),
    kept_values as (
      insert into connection_values (connection_id, at, usd)
      select connection_id, t, usd from computed where cacheable
      on conflict do nothing
    ),
    totals as materialized (
      select label, t, sum(usd) as usd
      from (select label, t, usd from cached union all select label, t, usd from computed) v
      group by label, t
    ),
    -- A past point's total is final once every connection's part of it is: nothing can be added to an
    -- hour that is over, and a disconnect changes only what counts after it.
    kept_totals as (
      insert into portfolio_values (user_id, at, usd)
      select ${userId}::uuid, t.t, t.usd from totals t
      where ${userTotals} and t.t < ${nowHour}::timestamptz
        and not exists (select 1 from conns c where c.disconnected_at is not null and c.disconnected_at <= t.t)
      on conflict do nothing
    )
    select label, value from (
      select label, usd::text as value from user_cached
      union all
      select label, usd::text as value from totals
    ) points
    order by label
  `);
  });
  const points = rowsOf<{ label: string | Date; value: string }>(result).map((row) => {
    const usd = new Dec(row.value);
    return {
      at: new Date(row.label).toISOString(),
      value: plain(conversion ? usd.div(conversion.usd).toDecimalPlaces(DIVISION_PLACES) : usd),
    };
  });
  return { currency: seriesCurrency, range, points };
}
