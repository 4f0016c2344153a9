import { CHART_RANGES, type ChartRange } from '@/lib/valuation/types';

// Shared by the server pages (which read `?range=`) and the client chart (which writes it).

export const RANGE_LABELS: Record<ChartRange, string> = {
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
  '1y': '1 y',
  all: 'All',
};

export const RANGE_WORDS: Record<ChartRange, string> = {
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
  '1y': 'the last year',
  all: 'all time',
};

/** The `range` search parameter, or 30 days when it is missing or not a range. */
export function parseRange(value: string | string[] | undefined): ChartRange {
  return CHART_RANGES.find((range) => range === value) ?? '30d';
}
