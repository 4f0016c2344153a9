import { Dec, plain } from './decimal';
import { CONVERSION_CURRENCIES, isUsdPegged } from './assets';

/** The quotes an asset is priced against, best first: the rule of issue 14. */
const USD_QUOTES = ['USD', 'USDT', 'USDC'] as const;

export interface PricedAsset {
  asset: string;
  usd: string;
  /** 'BTC/USD', 'SOL/USDT', 'XYZ/BTC × BTC/USD', 'USD/JPY'. */
  pair: string;
}

export interface RejectedPrice {
  asset: string;
  reason: string;
}

/** Every market that could price `assets` on an exchange (the caller keeps those the exchange lists). */
export function candidateSymbols(assets: Iterable<string>): string[] {
  const symbols = new Set<string>();
  for (const quote of USD_QUOTES) symbols.add(`BTC/${quote}`);
  for (const currency of CONVERSION_CURRENCIES) {
    for (const quote of USD_QUOTES) symbols.add(`${currency}/${quote}`);
    symbols.add(`USD/${currency}`);
  }
  for (const asset of assets) {
    if (isUsdPegged(asset)) continue;
    for (const quote of USD_QUOTES) symbols.add(`${asset}/${quote}`);
    symbols.add(`USD/${asset}`);
    if (asset !== 'BTC') symbols.add(`${asset}/BTC`);
  }
  return [...symbols];
}

type Check = { ok: true; price: Dec } | { ok: false; reason: string };

/** A ticker's last price as the exchange sent it: positive and numeric, or the reason it is not. */
function checkPrice(symbol: string, raw: unknown): Check {
  if (raw === undefined || raw === null || raw === '') return { ok: false, reason: `${symbol} has no last price` };
  let price: Dec;
  try {
    price = new Dec(typeof raw === 'number' ? raw.toString() : String(raw));
  } catch {
    return { ok: false, reason: `${symbol} price is not a number` };
  }
  if (!price.isFinite()) return { ok: false, reason: `${symbol} price is not a number` };
  if (price.lte(0)) return { ok: false, reason: `${symbol} price is ${plain(price)}, not above 0` };
  return { ok: true, price };
}

/**
 * USD prices of `assets` from one exchange's tickers (last price by unified symbol): ASSET/USD,
 * ASSET/USDT, ASSET/USDC, USD/ASSET inverted (fiat quoted the other way, like USD/JPY), then
 * ASSET/BTC × BTC's own USD price. A market whose price is not usable is passed over; an asset left
 * without a price because of one is reported with the reason. USD-pegged assets are never priced here.
 */
export function priceAssets(
  tickers: Record<string, unknown>,
  assets: Iterable<string>,
): { priced: PricedAsset[]; rejected: RejectedPrice[] } {
  const priced: PricedAsset[] = [];
  const rejected: RejectedPrice[] = [];
  const direct = (asset: string): { price: Dec; pair: string } | { reason: string } | null => {
    let firstProblem: string | null = null;
    const tries: Array<[string, (price: Dec) => Dec]> = [
      ...USD_QUOTES.map((quote): [string, (price: Dec) => Dec] => [`${asset}/${quote}`, (price) => price]),
      [`USD/${asset}`, (price) => new Dec(1).div(price)],
    ];
    for (const [symbol, toUsd] of tries) {
      if (!(symbol in tickers)) continue;
      const checked = checkPrice(symbol, tickers[symbol]);
      if (checked.ok) return { price: toUsd(checked.price), pair: symbol };
      firstProblem ??= checked.reason;
    }
    return firstProblem ? { reason: firstProblem } : null;
  };
  const btc = direct('BTC');
  for (const asset of new Set(assets)) {
    if (isUsdPegged(asset)) continue;
    let found = direct(asset);
    if ((!found || 'reason' in found) && asset !== 'BTC' && `${asset}/BTC` in tickers) {
      const cross = checkPrice(`${asset}/BTC`, tickers[`${asset}/BTC`]);
      if (!cross.ok) found ??= { reason: cross.reason };
      else if (btc && 'price' in btc) found = { price: cross.price.times(btc.price), pair: `${asset}/BTC × ${btc.pair}` };
      else found ??= btc ?? { reason: `${asset}/BTC has no BTC price to multiply by` };
    }
    if (!found) continue;
    if ('reason' in found) rejected.push({ asset, reason: found.reason });
    else priced.push({ asset, usd: plain(found.price.toDecimalPlaces(40)), pair: found.pair });
  }
  return { priced, rejected };
}
