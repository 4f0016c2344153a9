import { getValueSeries } from '@/lib/valuation/value-series';
import type { ChartRange, DisplayCurrency } from '@/lib/valuation/types';
import { ValueChart } from './value-chart';

/** One connection's value over time, for its page: the same chart as the portfolio's, scoped to the connection. */
export async function ConnectionValueChart({
  userId,
  connectionId,
  range,
  currency,
  locale,
}: {
  userId: string;
  connectionId: string;
  range: ChartRange;
  currency: DisplayCurrency;
  locale: string;
}) {
  const series = await getValueSeries(userId, range, currency, { connectionId });
  return <ValueChart series={series} locale={locale} title="Value over time" />;
}
