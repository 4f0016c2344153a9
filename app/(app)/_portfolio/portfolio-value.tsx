import { TrendingDown, TrendingUp } from 'lucide-react';
import type { PortfolioValuation } from '@/lib/valuation/types';
import { cn } from '../../_components/ui/cn';
import { LocalTime, RelativeTime } from '../_components/relative-time';
import { Hint } from './hint';
import { formatChange, formatMoney, formatMoneyChange, isNegative } from './money';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The headline: the total in the display currency, its 24 h change, what it leaves out, and where rates came from. */
export function PortfolioValue({ valuation, locale }: { valuation: PortfolioValuation; locale: string }) {
  const { currency, requestedCurrency, rate, change24h, unpricedCount, pricesAt } = valuation;
  const down = change24h ? isNegative(change24h.value) : false;
  const ChangeIcon = down ? TrendingDown : TrendingUp;
  return (
    <section
      aria-labelledby="portfolio-value-heading"
      className="flex flex-col gap-2 rounded-xl border border-border bg-surface p-5 shadow-sm sm:p-6"
    >
      <h2 id="portfolio-value-heading" className="text-sm font-medium text-muted">
        Portfolio value
      </h2>
      <p
        className="text-3xl font-semibold tracking-tight tabular-nums [overflow-wrap:anywhere] sm:text-4xl"
        data-testid="portfolio-total"
      >
        {formatMoney(valuation.total, currency, locale)}
      </p>
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="portfolio-change">
        {change24h ? (
          <span
            className={cn(
              'inline-flex items-center gap-1 font-medium tabular-nums',
              down ? 'text-danger-text' : 'text-success-text',
            )}
          >
            <ChangeIcon className="size-4" aria-hidden />
            {formatMoneyChange(change24h.value, currency, locale)} ({formatChange(change24h.fraction, locale)})
            <span className="font-normal text-muted">in 24 h</span>
          </span>
        ) : (
          <span className="text-muted">24 h change not known yet</span>
        )}
      </p>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
        {unpricedCount > 0 && (
          <span className="text-warning-text" data-testid="unpriced-count">
            {plural(unpricedCount, 'asset has', 'assets have')} no price and {unpricedCount === 1 ? 'is' : 'are'} left
            out of the total
          </span>
        )}
        {currency !== requestedCurrency && (
          <span className="text-warning-text">
            No {requestedCurrency} rate from your exchanges yet: values are in {currency}.
          </span>
        )}
        {pricesAt && (
          <Hint label={rate ? `Prices and ${rate.currency} rate` : 'Prices'}>
            Prices from your exchanges&apos; tickers, the oldest used from <RelativeTime date={pricesAt} />.
            {rate && (
              <>
                {' '}
                Converted at 1 USD = {rate.perUsd} {rate.currency} ({rate.source}, <LocalTime date={rate.at} />
                ).
              </>
            )}
          </Hint>
        )}
      </div>
    </section>
  );
}
