import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { BALANCE_SUFFIX_PATTERN, isUsdPegged, priceKey } from '@/lib/prices/assets';
import { Dec, DIVISION_PLACES, divide, plain } from '@/lib/prices/decimal';
import { rowsOf } from '@/lib/sync/sql-rows';
import { conversionRate } from './conversion';
import { choosePrice, peggedPrice, type ChosenPrice, type StoredPrice } from './quotes';
import type { ConnectionValue, DisplayCurrency, PortfolioValuation, ValuedAsset, ValuedSource } from './types';

interface Row {
  connection_id: string;
  label: string;
  exchange_id: string;
  disconnected: boolean;
  asset: string | null;
  wallet: string | null;
  amount: string | null;
}

/**
 * Every holding of the user, in one statement: the cost does not grow with a query per asset or per
 * connection. Connections without holdings come back once with a null asset, so they are listed at 0.
 */
async function holdings(userId: string, db: Database): Promise<Row[]> {
  const result = await db.execute(sql`
    select c.id as connection_id, c.label, c.exchange_id, c.disconnected_at is not null as disconnected,
      h.asset, h.wallet, h.total::text as amount
    from exchange_connections c
    left join holdings h on h.connection_id = c.id and h.user_id = ${userId}::uuid
    where c.user_id = ${userId}::uuid
    order by c.label, c.id, h.wallet
  `);
  return rowsOf<Row>(result);
}

/**
 * Every exchange's latest price of each asset the user holds and that exchange's price ~24 h before,
 * by price key, in one statement run beside holdings(): each asset's prices come once, not on every
 * holding of it.
 */
async function pricesOfHeld(userId: string, now: Date, db: Database): Promise<Map<string, StoredPrice[]>> {
  const nowIso = now.toISOString();
  const result = await db.execute(sql`
    with keys as (
      select distinct regexp_replace(h.asset, ${BALANCE_SUFFIX_PATTERN}, '') as price_key
      from holdings h where h.user_id = ${userId}::uuid
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
  sources: Array<{ row: Row; amount: Dec }>;
}

/**
 * What the user's holdings are worth in `currency`: per asset (one price each, see choosePrice), per
 * source and per connection, with the total and its 24 h change. Sums are exact; only a conversion
 * or a share (divisions) is cut, at DIVISION_PLACES. Unpriced assets are left out of every sum.
 */
export async function getPortfolioValuation(
  userId: string,
  currency: DisplayCurrency,
  options: { now?: Date; db?: Database } = {},
): Promise<PortfolioValuation> {
  const now = options.now ?? new Date();
  const db = options.db ?? getDb();
  const [rows, pricesByKey, conversion] = await Promise.all([
    holdings(userId, db),
    pricesOfHeld(userId, now, db),
    conversionRate(currency, db),
  ]);
  const convert = (usd: Dec): Dec => (conversion ? usd.div(conversion.usd).toDecimalPlaces(DIVISION_PLACES) : usd);

  const groups = new Map<string, AssetGroup>();
  const connections = new Map<string, { row: Row; value: Dec; unpriced: Set<string>; holdings: number }>();
  for (const row of rows) {
    const connection = connections.get(row.connection_id) ?? {
      row,
      value: new Dec(0),
      unpriced: new Set<string>(),
      holdings: 0,
    };
    connections.set(row.connection_id, connection);
    if (row.asset === null || row.amount === null) continue;
    connection.holdings += 1;
    const amount = new Dec(row.amount);
    const group = groups.get(row.asset) ?? {
      asset: row.asset,
      amount: new Dec(0),
      heldOn: new Map<string, Dec>(),
      sources: [],
    };
    groups.set(row.asset, group);
    group.amount = group.amount.plus(amount);
    group.heldOn.set(row.exchange_id, (group.heldOn.get(row.exchange_id) ?? new Dec(0)).plus(amount));
    group.sources.push({ row, amount });
  }

  let totalUsd = new Dec(0);
  let totalUsd24h = new Dec(0);
  let missing24h = false;
  let oldest: string | null = null;
  const assets: Array<ValuedAsset & { usdValue: Dec | null }> = [];
  for (const group of groups.values()) {
    const chosen: ChosenPrice | null = isUsdPegged(group.asset)
      ? peggedPrice([...group.heldOn.keys()].sort()[0]!, priceKey(group.asset), now)
      : choosePrice(pricesByKey.get(priceKey(group.asset)) ?? [], group.heldOn, now);
    const usd = chosen ? new Dec(chosen.quote.usd) : null;
    const usdValue = usd ? group.amount.times(usd) : null;
    if (usd && usdValue && chosen) {
      totalUsd = totalUsd.plus(usdValue);
      if (chosen.usd24h) totalUsd24h = totalUsd24h.plus(group.amount.times(chosen.usd24h));
      else missing24h = true;
      if (!isUsdPegged(group.asset) && (oldest === null || chosen.quote.at < oldest)) oldest = chosen.quote.at;
    }
    const sources: ValuedSource[] = group.sources.map(({ row, amount }) => {
      const sourceUsd = usd ? amount.times(usd) : null;
      if (sourceUsd) connections.get(row.connection_id)!.value = connections.get(row.connection_id)!.value.plus(sourceUsd);
      else connections.get(row.connection_id)!.unpriced.add(group.asset);
      return {
        connectionId: row.connection_id,
        connectionLabel: row.label,
        exchangeId: row.exchange_id,
        wallet: row.wallet!,
        amount: plain(amount),
        value: sourceUsd ? plain(convert(sourceUsd)) : null,
      };
    });
    assets.push({
      asset: group.asset,
      amount: plain(group.amount),
      price: usd ? plain(convert(usd)) : null,
      value: usdValue ? plain(convert(usdValue)) : null,
      share: null,
      change24h: chosen?.usd24h && usd ? divide(usd.minus(chosen.usd24h), chosen.usd24h) : null,
      quote: chosen?.quote ?? null,
      pricedElsewhere: chosen?.pricedElsewhere ?? false,
      sources,
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

  const connectionValues: ConnectionValue[] = [...connections.values()]
    .filter((connection) => !connection.row.disconnected || connection.holdings > 0)
    .map((connection) => ({
      connectionId: connection.row.connection_id,
      label: connection.row.label,
      exchangeId: connection.row.exchange_id,
      value: plain(convert(connection.value)),
      unpricedAssets: connection.unpriced.size,
    }))
    .sort((a, b) => new Dec(b.value).comparedTo(a.value) || a.label.localeCompare(b.label));

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
