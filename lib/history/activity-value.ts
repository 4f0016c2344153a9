import { Dec, DIVISION_PLACES, plain } from '@/lib/prices/decimal';
import { isUsdPegged, priceKey } from '@/lib/prices/assets';
import type { DisplayCurrency } from '@/lib/valuation/types';

// An activity entry's value at its time: the amount of its asset times that asset's USD price of the
// entry's hour (the counter side when the asset has none: a trade of an unlisted token against USDT),
// in the display currency at that hour's rate. Exact decimals; null means "no price for that hour".

export interface EntryPrices {
  asset: string;
  amount: string;
  counterAsset: string | null;
  counterAmount: string | null;
  /** USD per unit of asset / counter asset at the entry's hour (price_history), null when none. */
  assetUsd: string | null;
  counterUsd: string | null;
  /** For an entry that moved nothing but its fee (a fee the exchange charged on its own). */
  feeAsset: string | null;
  feeAmount: string | null;
  feeUsd: string | null;
  /** USD per unit of the display currency at the entry's hour, null when none. */
  rateUsd: string | null;
}

export interface ValueContext {
  /** The currency values are in (USD when the display currency has no rate at all). */
  currency: DisplayCurrency;
  /** USD per unit of `currency` now: used when the entry's hour has no rate. Null for USD. */
  currentRateUsd: string | null;
}

function sideValue(
  asset: string | null,
  amount: string | null,
  usd: string | null,
  rateUsd: string | null,
  context: ValueContext,
): string | null {
  if (!asset || amount === null) return null;
  const units = new Dec(amount).abs();
  // Already in the display currency: no price, no conversion.
  if (priceKey(asset) === context.currency) return plain(units);
  const price = isUsdPegged(asset) ? '1' : usd;
  if (price === null) return null;
  const valueUsd = units.times(price);
  if (context.currency === 'USD') return plain(valueUsd);
  const rate = rateUsd ?? context.currentRateUsd;
  if (rate === null) return null;
  return plain(valueUsd.div(rate).toDecimalPlaces(DIVISION_PLACES));
}

/** The entry's value (a magnitude) in `context.currency`, or null when neither side has a price for its hour. */
export function entryValue(entry: EntryPrices, context: ValueContext): string | null {
  const moved = [entry.amount, entry.counterAmount].some((amount) => amount !== null && !new Dec(amount).isZero());
  if (!moved && entry.feeAmount !== null) {
    return sideValue(entry.feeAsset, entry.feeAmount, entry.feeUsd, entry.rateUsd, context);
  }
  return (
    sideValue(entry.asset, entry.amount, entry.assetUsd, entry.rateUsd, context) ??
    sideValue(entry.counterAsset, entry.counterAmount, entry.counterUsd, entry.rateUsd, context)
  );
}
