import type { DisplayCurrency } from '@/lib/valuation/types';

/** Worth one US dollar by definition: never looked up on an exchange. */
export const USD_PEGGED = new Set(['USD', 'USDT', 'USDC', 'DAI', 'FDUSD', 'TUSD', 'USDP', 'PYUSD', 'BUSD', 'USDS']);

/** The fiat currencies values can be shown in besides USD, priced from the exchanges' fiat pairs. */
export const CONVERSION_CURRENCIES: readonly Exclude<DisplayCurrency, 'USD'>[] = ['EUR', 'GBP', 'CHF', 'JPY'];

/**
 * Kraken reports staked and opt-in-rewards balances under suffixed codes ('ETH.F', 'DOT.S',
 * 'USD.HOLD'); they are worth what the plain asset is worth.
 */
const BALANCE_SUFFIX = /\.(F|S|M|B|P|HOLD)$/;

/** The code an asset is priced under. */
export function priceKey(asset: string): string {
  return asset.replace(BALANCE_SUFFIX, '');
}

/** The same rule for PostgreSQL's regexp_replace, so SQL and TypeScript agree. */
export const BALANCE_SUFFIX_PATTERN = BALANCE_SUFFIX.source;

export function isUsdPegged(asset: string): boolean {
  return USD_PEGGED.has(priceKey(asset));
}
