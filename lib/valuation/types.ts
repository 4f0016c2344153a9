// The valuation contract between lib/valuation (prices, totals, history) and the pages that show them.
// Every money value is a decimal string (exact arithmetic with decimal.js); null means "no price", never 0.

export const DISPLAY_CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY'] as const;
export type DisplayCurrency = (typeof DISPLAY_CURRENCIES)[number];

export const CHART_RANGES = ['24h', '7d', '30d', '1y', 'all'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

/** Where an asset's USD price came from. */
export interface PriceQuote {
  /** USD per unit. */
  usd: string;
  /** The exchange whose ticker priced it. */
  exchangeId: string;
  /** The market(s) used: 'BTC/USD', 'SOL/USDT', or 'XYZ/BTC × BTC/USD'. */
  pair: string;
  /** ISO time of the ticker. */
  at: string;
  /** Older than 15 minutes. */
  stale: boolean;
}

/** How USD values were converted to the display currency (null when the display currency is USD). */
export interface ConversionRate {
  currency: DisplayCurrency;
  /** Units of `currency` per 1 USD. */
  perUsd: string;
  /** e.g. 'kraken EUR/USD'. */
  source: string;
  at: string;
}

export interface ValuedSource {
  connectionId: string;
  connectionLabel: string;
  exchangeId: string;
  wallet: string;
  amount: string;
  /** In the valuation's currency; null when the asset has no price. */
  value: string | null;
}

export interface ValuedAsset {
  asset: string;
  amount: string;
  /** Price per unit in the valuation's currency; null = "No price". */
  price: string | null;
  value: string | null;
  /** Fraction of the priced total, 0..1 as a decimal string; null when unpriced. */
  share: string | null;
  /** 24 h price change as a fraction ('-0.0123'); null when unknown. */
  change24h: string | null;
  quote: PriceQuote | null;
  /** True when no exchange the user holds it on could price it and another exchange did. */
  pricedElsewhere: boolean;
  /** The connections that hold it (for their sync problems on the row). */
  connectionIds: string[];
  /** Where it is held: only when asked for (the export, one asset's detail panel); see getAssetSources. */
  sources?: ValuedSource[];
}

export interface ConnectionValue {
  connectionId: string;
  label: string;
  exchangeId: string;
  /** Sum of its priced holdings in the valuation's currency. */
  value: string;
  unpricedAssets: number;
}

export interface PortfolioValuation {
  /** The currency every value is in: the requested one, or USD when no rate exists for it. */
  currency: DisplayCurrency;
  requestedCurrency: DisplayCurrency;
  rate: ConversionRate | null;
  total: string;
  /** Change of the total over 24 h at the same amounts; null when 24 h old prices are missing. */
  change24h: { value: string; fraction: string } | null;
  /** Sorted by value, highest first; unpriced assets last, by name. */
  assets: ValuedAsset[];
  connections: ConnectionValue[];
  /** Assets left out of the total for lack of a price. */
  unpricedCount: number;
  /** Time of the oldest price used, ISO; null when nothing is priced. */
  pricesAt: string | null;
}

export interface ValuePoint {
  /** ISO hour (or day beyond 30 days). */
  at: string;
  value: string;
}

export interface ValueSeries {
  currency: DisplayCurrency;
  range: ChartRange;
  points: ValuePoint[];
}
