import type { Dec } from '@/lib/prices/decimal';
import type { PriceQuote } from './types';

/** A price older than this is shown as stale. */
export const STALE_AFTER_MS = 15 * 60_000;

/** One exchange's latest USD price of an asset, as valuation reads it. */
export interface StoredPrice {
  exchangeId: string;
  usd: string;
  pair: string;
  at: string;
  /** The same exchange's price about 24 hours earlier, when the history has one. */
  usd24h: string | null;
}

export interface ChosenPrice {
  quote: PriceQuote;
  usd24h: string | null;
  pricedElsewhere: boolean;
}

export function toQuote(price: StoredPrice, now: Date): PriceQuote {
  const at = new Date(price.at);
  return {
    usd: price.usd,
    exchangeId: price.exchangeId,
    pair: price.pair,
    at: at.toISOString(),
    stale: now.getTime() - at.getTime() > STALE_AFTER_MS,
  };
}

/**
 * The one price an asset is valued at: from the exchange the user holds most of it on that prices it
 * (the rule is "priced on its own exchange"); when none of them can, from another exchange, fresh
 * before stale, then newest. Null when no exchange prices it.
 */
export function choosePrice(
  prices: readonly StoredPrice[],
  heldOn: ReadonlyMap<string, Dec>,
  now: Date,
): ChosenPrice | null {
  const own = prices
    .filter((price) => heldOn.has(price.exchangeId))
    .sort((a, b) => heldOn.get(b.exchangeId)!.comparedTo(heldOn.get(a.exchangeId)!) || a.exchangeId.localeCompare(b.exchangeId));
  if (own[0]) return { quote: toQuote(own[0], now), usd24h: own[0].usd24h, pricedElsewhere: false };
  const elsewhere = prices
    .map((price) => ({ price, quote: toQuote(price, now) }))
    .sort(
      (a, b) =>
        Number(a.quote.stale) - Number(b.quote.stale) ||
        b.quote.at.localeCompare(a.quote.at) ||
        a.price.exchangeId.localeCompare(b.price.exchangeId),
    );
  if (!elsewhere[0]) return null;
  return { quote: elsewhere[0].quote, usd24h: elsewhere[0].price.usd24h, pricedElsewhere: true };
}

/** USD and USD stablecoins: worth 1, quoted by the exchange that holds them. */
export function peggedPrice(exchangeId: string, asset: string, now: Date): ChosenPrice {
  return {
    quote: { usd: '1', exchangeId, pair: `${asset} = 1 USD`, at: now.toISOString(), stale: false },
    usd24h: '1',
    pricedElsewhere: false,
  };
}
