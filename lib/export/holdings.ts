import 'server-only';
import { findExchange } from '@/lib/exchanges/catalog';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import { getPortfolioValuation } from '@/lib/valuation/portfolio-value';
import { csvNumber, type CsvCell } from './csv';

export const HOLDINGS_HEADER = [
  'asset',
  'wallet',
  'exchange',
  'label',
  'amount',
  'price',
  'value',
  'currency',
  'priced at',
  'price source',
] as const;

/**
 * The user's current holdings, one row per asset and wallet, valued in their display currency (the valuation's
 * currency: USD when no rate for it exists). An asset without a price has empty price, value and source cells,
 * never 0. The valuation reads only this user's rows (its SQL is scoped by user id).
 */
export async function holdingsCsvRows(userId: string): Promise<CsvCell[][]> {
  const valuation = await getPortfolioValuation(userId, await getDisplayCurrency(userId), { withSources: true });
  return valuation.assets.flatMap((asset) =>
    (asset.sources ?? []).map((source): CsvCell[] => [
      asset.asset,
      source.wallet,
      findExchange(source.exchangeId)?.name ?? source.exchangeId,
      source.connectionLabel,
      csvNumber(source.amount),
      csvNumber(asset.price),
      csvNumber(source.value),
      valuation.currency,
      asset.quote?.at ?? null,
      asset.quote ? `${asset.quote.exchangeId} ${asset.quote.pair}` : null,
    ]),
  );
}
