import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { BALANCE_SUFFIX_PATTERN, isUsdPegged, priceKey } from '@/lib/prices/assets';
import { Dec, DIVISION_PLACES, divide, plain } from '@/lib/prices/decimal';
import { rowsOf, textArrayLiteral } from '@/lib/sync/sql-rows';
import { conversionRate } from './conversion';
import { choosePrice, peggedPrice, type ChosenPrice, type StoredPrice } from './quotes';
import type { ConnectionValue, DisplayCurrency, PortfolioValuation, ValuedAsset, ValuedSource } from './types';

/** One source of an asset: a (connection, wallet) holding. */
interface SourceRow {
  connection_id: string;
  label: string;
  exchange_id: string;
  asset: string;
  wallet: string;
  amount: string;
}

/** What the user holds of an asset on one exchange, and in which connections. */
interface AssetTotalRow {
  asset: string;
  exchange_id: string;
  amount: string;
  /** Comma-separated connection ids: one text value, not an array to parse element by element. */
  connection_ids: string;
}

interface ConnectionRow {
  connection_id: string;
  label: string;
  exchange_id: string;
  disconnected: boolean;
  holdings: number | string;
}

const assetFilter = (asset: string | undefined) => (asset === undefined ? sql`` : sql`and h.asset = ${asset}`);

/**
 * The user's holdings summed per asset and exchange by PostgreSQL (exact numeric sums): a few rows per
 * asset however many connections and wallets hold it, so the page's work does not grow with holdings.
 */
async function assetTotals(userId: string, db: Database, asset?: string): Promise<AssetTotalRow[]> {
  const result = await db.execute(sql`
    select h.asset, c.exchange_id, sum(h.total)::text as amount,
      string_agg(distinct h.connection_id::text, ',') as connection_ids
    from holdings h
    join exchange_connections c on c.id = h.connection_id and c.user_id = ${userId}::uuid
    where h.user_id = ${userId}::uuid ${assetFilter(asset)}
    group by h.asset, c.exchange_id
  `);
  return rowsOf<AssetTotalRow>(result);
}

/** Every connection of the user with how many holdings it has (connections without any are listed at 0). */
async function connectionsOf(userId: string, db: Database): Promise<ConnectionRow[]> {
  const result = await db.execute(sql`
    select c.id as connection_id, c.label, c.exchange_id, c.disconnected_at is not null as disconnected,
      (select count(*) from holdings h where h.connection_id = c.id and h.user_id = ${userId}::uuid) as holdings
    from exchange_connections c
    where c.user_id = ${userId}::uuid
  `);
  return rowsOf<ConnectionRow>(result);
}

/**
 * Each connection's value at the chosen prices (USD per asset), summed by PostgreSQL in numeric, and
 * how many of its assets have no price: one statement, whatever the number of holdings.
 */
async function connectionSums(
  userId: string,
  priced: ReadonlyArray<readonly [string, string]>,
  db: Database,
): Promise<Map<string, { usd: string; unpriced: number }>> {
  const result = await db.execute(sql`
    select h.connection_id, coalesce(sum(h.total * p.usd), 0)::text as usd,
      count(distinct h.asset) filter (where p.usd is null) as unpriced
    from holdings h
    left join unnest(${textArrayLiteral(priced.map(([asset]) => asset))}::text[],
      ${textArrayLiteral(priced.map(([, usd]) => usd))}::numeric[]) as p(asset, usd) on p.asset = h.asset
    where h.user_id = ${userId}::uuid
    group by h.connection_id
  `);
  const sums = new Map<string, { usd: string; unpriced: number }>();
  for (const row of rowsOf<{ connection_id: string; usd: string; unpriced: number | string }>(result)) {
    sums.set(row.connection_id, { usd: row.usd, unpriced: Number(row.unpriced) });
  }
  return sums;
}

/** Every (connection, wallet) holding, or those of one asset: only for the sources list and the export. */
async function sourceRows(userId: string, db: Database, asset?: string): Promise<SourceRow[]> {
  const result = await db.execute(sql`
    select c.id as connection_id, c.label, c.exchange_id, h.asset, h.wallet, h.total::text as amount
    from holdings h
    join exchange_connections c on c.id = h.connection_id and c.user_id = ${userId}::uuid
    where h.user_id = ${userId}::uuid ${assetFilter(asset)}
    order by c.label, c.id, h.wallet
  `);
  return rowsOf<SourceRow>(result);
}

/**
 * Every exchange's latest price of each asset the user holds and that exchange's price ~24 h before,
 * by price key, in one statement run beside holdings(): each asset's prices come once, not on every
 * holding of it.
 */
async function pricesOfHeld(
  userId: string,
  now: Date,
  db: Database,
  asset?: string,
): Promise<Map<string, StoredPrice[]>> {
  const nowIso = now.toISOString();
  const result = await db.execute(sql`
    with keys as (
      select distinct regexp_replace(h.asset, ${BALANCE_SUFFIX_PATTERN}, '') as price_key
      from holdings h where h.user_id = ${userId}::uuid ${assetFilter(asset)}
    )
    select p.asset as price_key,
      jsonb_agg(jsonb_build_object(
        'exchangeId', p.exchange_id, 'usd', p.usd::text, 'pair', p.pair, 'at', p.priced_at,
        'usd24h', day_before.usd::text
      )) as prices
    from keys k
    join asset_prices p on p.asset = k.price_key
    left join lateral (
      select ph.usd from price_history ph
      where ph.asset = p.asset and ph.exchange_id = p.exchange_id
        and ph.hour <= ${nowIso}::timestamptz - interval '24 hours'
        and ph.hour > ${nowIso}::timestamptz - interval '26 hours'
      order by ph.hour desc limit 1
    ) day_before on true
    group by p.asset
  `);
  const prices = new Map<string, StoredPrice[]>();
  for (const row of rowsOf<{ price_key: string; prices: StoredPrice[] | string }>(result)) {
    prices.set(row.price_key, typeof row.prices === 'string' ? (JSON.parse(row.prices) as StoredPrice[]) : row.prices);
  }
  return prices;
}

interface AssetGroup {
  asset: string;
  amount: Dec;
  heldOn: Map<string, Dec>;
  connectionIds: Set<string>;
}

export interface ValuationOptions {
  now?: Date;
  db?: Database;
  /**
   * Also list every asset's sources (connection, wallet, amount, value): the export needs them; the
   * page does not (it loads one asset's sources when they are opened, see getAssetSources), so its
   * work stays a few rows per asset and per connection however many holdings there are.
   */
  withSources?: boolean;
  /** Only this asset (its sources for the page's detail panel). */
  asset?: string;
}

/**
 * What the user's holdings are worth in `currency`: per asset (one price each, see choosePrice), per
 * connection, with the total and its 24 h change. Sums are exact (PostgreSQL numeric, decimal.js);
 * only a conversion or a share (divisions) is cut, at DIVISION_PLACES. Unpriced assets are left out
 * of every sum.
 */
export async function getPortfolioValuation(
  userId: string,
  currency: DisplayCurrency,
  options: ValuationOptions = {},
): Promise<PortfolioValuation> {
  const now = options.now ?? new Date();
  const db = options.db ?? getDb();
  const [totals, connectionRows, pricesByKey, conversion, sources] = await Promise.all([
    assetTotals(userId, db, options.asset),
    options.asset === undefined ? connectionsOf(userId, db) : Promise.resolve([]),
    pricesOfHeld(userId, now, db, options.asset),
    conversionRate(currency, db),
    options.withSources || options.asset !== undefined ? sourceRows(userId, db, options.asset) : null,
  ]);
  const convert = (usd: Dec): Dec => (conversion ? usd.div(conversion.usd).toDecimalPlaces(DIVISION_PLACES) : usd);

  const groups = new Map<string, AssetGroup>();
  for (const row of totals) {
    const amount = new Dec(row.amount);
    const group = groups.get(row.asset) ?? {
      asset: row.asset,
      amount: new Dec(0),
      heldOn: new Map<string, Dec>(),
      connectionIds: new Set<string>(),
    };
    groups.set(row.asset, group);
    group.amount = group.amount.plus(amount);
    group.heldOn.set(row.exchange_id, (group.heldOn.get(row.exchange_id) ?? new Dec(0)).plus(amount));
    for (const id of row.connection_ids.split(',')) group.connectionIds.add(id);
  }
  const sourcesByAsset = new Map<string, SourceRow[]>();
  for (const row of sources ?? []) {
    const list = sourcesByAsset.get(row.asset) ?? [];
    list.push(row);
    sourcesByAsset.set(row.asset, list);
  }

  let totalUsd = new Dec(0);
  let totalUsd24h = new Dec(0);
  let missing24h = false;
  let oldest: string | null = null;
  const priced: Array<readonly [string, string]> = [];
  const assets: Array<ValuedAsset & { usdValue: Dec | null }> = [];
  for (const group of groups.values()) {
    const chosen: ChosenPrice | null = isUsdPegged(group.asset)
      ? peggedPrice([...group.heldOn.keys()].sort()[0]!, priceKey(group.asset), now)
      : choosePrice(pricesByKey.get(priceKey(group.asset)) ?? [], group.heldOn, now);
    const usd = chosen ? new Dec(chosen.quote.usd) : null;
    const usdValue = usd ? group.amount.times(usd) : null;
    if (usd && usdValue && chosen) {
      priced.push([group.asset, chosen.quote.usd]);
      totalUsd = totalUsd.plus(usdValue);
      if (chosen.usd24h) totalUsd24h = totalUsd24h.plus(group.amount.times(chosen.usd24h));
      else missing24h = true;
      if (!isUsdPegged(group.asset) && (oldest === null || chosen.quote.at < oldest)) oldest = chosen.quote.at;
    }
    const assetSources = sourcesByAsset.get(group.asset);
    assets.push({
      asset: group.asset,
      amount: plain(group.amount),
      price: usd ? plain(convert(usd)) : null,
      value: usdValue ? plain(convert(usdValue)) : null,
      share: null,
      change24h: chosen?.usd24h && usd ? divide(usd.minus(chosen.usd24h), chosen.usd24h) : null,
      quote: chosen?.quote ?? null,
      pricedElsewhere: chosen?.pricedElsewhere ?? false,
      connectionIds: [...group.connectionIds].sort(),
      ...(assetSources
        ? {
            sources: assetSources.map(
              (row): ValuedSource => ({
                connectionId: row.connection_id,
                connectionLabel: row.label,
                exchangeId: row.exchange_id,
                wallet: row.wallet,
                amount: plain(new Dec(row.amount)),
                value: usd ? plain(convert(new Dec(row.amount).times(usd))) : null,
              }),
            ),
          }
        : {}),
      usdValue,
    });
  }

  for (const asset of assets) {
    if (asset.usdValue) asset.share = totalUsd.isZero() ? '0' : divide(asset.usdValue, totalUsd);
  }
  assets.sort((a, b) => {
    if (a.usdValue && b.usdValue) return b.usdValue.comparedTo(a.usdValue) || a.asset.localeCompare(b.asset);
    if (a.usdValue || b.usdValue) return a.usdValue ? -1 : 1;
    return a.asset.localeCompare(b.asset);
  });

  const sums = connectionRows.length > 0 ? await connectionSums(userId, priced, db) : new Map();
  const connectionValues: ConnectionValue[] = connectionRows
    .filter((row) => !row.disconnected || Number(row.holdings) > 0)
    .map((row) => {
      const sum = sums.get(row.connection_id);
      return {
        connectionId: row.connection_id,
        label: row.label,
        exchangeId: row.exchange_id,
        value: plain(convert(new Dec(sum?.usd ?? 0))),
        unpricedAssets: sum?.unpriced ?? 0,
      };
    })
    .sort(
      (a, b) =>
        new Dec(b.value).comparedTo(a.value) || a.label.localeCompare(b.label) || a.connectionId.localeCompare(b.connectionId),
    );

  const pricedCount = assets.filter((asset) => asset.usdValue).length;
  const changeUsd = totalUsd.minus(totalUsd24h);
  return {
    currency: conversion || currency === 'USD' ? currency : 'USD',
    requestedCurrency: currency,
    rate: conversion?.rate ?? null,
    total: plain(convert(totalUsd)),
    change24h:
      pricedCount === 0 || missing24h || totalUsd24h.isZero()
        ? null
        : { value: plain(convert(changeUsd)), fraction: divide(changeUsd, totalUsd24h) },
    assets: assets.map(({ usdValue: _usdValue, ...asset }) => asset),
    connections: connectionValues,
    unpricedCount: assets.length - pricedCount,
    pricesAt: oldest ?? (pricedCount > 0 ? now.toISOString() : null),
  };
}

/**
 * Where the user holds one asset: each (connection, wallet) with its amount and value at the asset's
 * one price, in the display currency. What the portfolio page loads when an asset's row is opened.
 */
export async function getAssetSources(
  userId: string,
  asset: string,
  currency: DisplayCurrency,
  options: { now?: Date; db?: Database } = {},
): Promise<{ currency: DisplayCurrency; sources: ValuedSource[] }> {
  const valuation = await getPortfolioValuation(userId, currency, { ...options, asset });
  return { currency: valuation.currency, sources: valuation.assets[0]?.sources ?? [] };
}
