'use client';

import type { Route } from 'next';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useId, useMemo, useTransition } from 'react';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
  type TooltipValueType,
} from 'recharts';
import { CHART_RANGES, type ChartRange, type DisplayCurrency, type ValueSeries } from '@/lib/valuation/types';
import { cn } from '../../_components/ui/cn';
import { RANGE_LABELS, RANGE_WORDS } from './chart-range';
import { formatMoney } from './money';

interface Point {
  at: string;
  time: number;
  /** For drawing only; the readout shows the exact decimal string. */
  y: number;
  value: string;
}

/**
 * The value over time (the portfolio's, or one connection's) for the range in the URL's `range` parameter, so the
 * server reads only the points of that range and the choice survives a reload. Hover or keyboard focus (arrow keys
 * once the chart has focus: Recharts' accessibility layer) shows the value at a point.
 */
export function ValueChart({
  series,
  locale,
  title,
  className,
}: {
  series: ValueSeries;
  locale: string;
  title: string;
  className?: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const headingId = useId();
  const { currency, range } = series;

  const points = useMemo<Point[]>(
    () =>
      series.points.map((point) => ({
        at: point.at,
        time: new Date(point.at).getTime(),
        y: Number(point.value),
        value: point.value,
      })),
    [series.points],
  );

  const choose = (next: ChartRange) => {
    const params = new URLSearchParams(searchParams.toString());
    params.set('range', next);
    startTransition(() => router.replace(`${pathname}?${params.toString()}` as Route, { scroll: false }));
  };

  const first = points[0];
  const last = points.at(-1);
  const spanMs = first && last ? last.time - first.time : 0;
  const summary =
    first && last && points.length >= 2
      ? `${title} over ${RANGE_WORDS[range]}: from ${formatMoney(first.value, currency, locale)} to ${formatMoney(last.value, currency, locale)}. Use the arrow keys to read each point.`
      : undefined;

  return (
    <section aria-labelledby={headingId} className={cn('flex flex-col gap-3', className)}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          {title}
        </h2>
        <div role="group" aria-label="Chart range" className="flex gap-1" aria-busy={pending || undefined}>
          {CHART_RANGES.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={option === range}
              onClick={() => choose(option)}
              className={cn(
                'cursor-pointer rounded-md px-2.5 py-1 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
                option === range ? 'bg-primary/15 text-info-text' : 'text-muted hover:bg-subtle',
              )}
            >
              {RANGE_LABELS[option]}
            </button>
          ))}
        </div>
      </div>
      <div className="rounded-xl border border-border bg-surface p-3 shadow-sm sm:p-4" data-testid="value-chart">
        {points.length < 2 ? (
          <p className="flex h-48 items-center justify-center px-4 text-center text-sm text-muted">
            Not enough history for {RANGE_WORDS[range]} yet. The chart starts once two hours of values are recorded.
          </p>
        ) : (
          <div className="h-56 w-full sm:h-64">
            <AreaChart
              responsive
              data={points}
              style={{ width: '100%', height: '100%' }}
              margin={{ top: 8, right: 8, bottom: 0, left: 8 }}
              accessibilityLayer
              title={summary}
              desc={summary}
            >
              <defs>
                <linearGradient id="value-fill" x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor="var(--color-primary)" stopOpacity={0.35} />
                  <stop offset="100%" stopColor="var(--color-primary)" stopOpacity={0.02} />
                </linearGradient>
              </defs>
              <CartesianGrid vertical={false} stroke="var(--color-border)" strokeDasharray="3 3" />
              <XAxis
                dataKey="time"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={(time: number) => tickLabel(time, spanMs, range, locale)}
                tick={{ fill: 'var(--color-muted)', fontSize: 12 }}
                stroke="var(--color-border)"
                minTickGap={40}
              />
              <YAxis
                dataKey="y"
                width={72}
                domain={['auto', 'auto']}
                tickFormatter={(value: number) => compactMoney(value, currency, locale)}
                tick={{ fill: 'var(--color-muted)', fontSize: 12 }}
                stroke="var(--color-border)"
              />
              <Tooltip
                content={(props: TooltipContentProps<TooltipValueType, string | number>) => (
                  <Readout {...props} currency={currency} locale={locale} />
                )}
                cursor={{ stroke: 'var(--color-muted)', strokeDasharray: '3 3' }}
              />
              <Area
                type="monotone"
                dataKey="y"
                name="Value"
                stroke="var(--color-primary)"
                strokeWidth={2}
                fill="url(#value-fill)"
                isAnimationActive={false}
              />
            </AreaChart>
          </div>
        )}
      </div>
    </section>
  );
}

function Readout({
  active,
  payload,
  currency,
  locale,
}: TooltipContentProps<TooltipValueType, string | number> & { currency: DisplayCurrency; locale: string }) {
  const point = payload?.[0]?.payload as Point | undefined;
  if (!active || !point) return null;
  return (
    <div
      role="status"
      data-testid="chart-readout"
      className="rounded-md border border-border bg-surface px-2.5 py-1.5 text-xs shadow-md"
    >
      <p className="text-muted">{pointLabel(point.time, locale)}</p>
      <p className="font-semibold tabular-nums">{formatMoney(point.value, currency, locale)}</p>
    </div>
  );
}

function pointLabel(time: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time);
}

/** Hours when the chart spans under two days (whatever the range: a new portfolio's 30 d is a few hours), else dates. */
function tickLabel(time: number, spanMs: number, range: ChartRange, locale: string): string {
  const options: Intl.DateTimeFormatOptions =
    spanMs < 2 * 86_400_000
      ? { hour: 'numeric', minute: '2-digit' }
      : range === '1y' || range === 'all'
        ? { month: 'short', year: '2-digit' }
        : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(locale, options).format(time);
}

function compactMoney(value: number, currency: DisplayCurrency, locale: string): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}
