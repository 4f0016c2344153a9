import 'server-only';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import { getValueSeries } from '@/lib/valuation/value-series';
import { csvNumber, type CsvCell } from './csv';

export const HISTORY_HEADER = ['at', 'value', 'currency'] as const;

/**
 * The user's whole value history (hourly, daily beyond 30 days), each point at the prices of its hour, in their
 * display currency. The series reads only this user's rows (its SQL is scoped by user id).
 */
export async function historyCsvRows(userId: string): Promise<CsvCell[][]> {
  const series = await getValueSeries(userId, 'all', await getDisplayCurrency(userId));
  return series.points.map((point): CsvCell[] => [point.at, csvNumber(point.value), series.currency]);
}
