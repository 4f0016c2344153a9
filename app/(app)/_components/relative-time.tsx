'use client';

import { format } from 'date-fns';
import { formatRelative } from './durations';
import { useHydrated, useNow } from './use-now';

/** A UTC rendering for the server and the hydration pass, where the browser's time zone is unknown. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * A relative time that keeps itself current (every 30 s), with the exact local date and time as its
 * tooltip. Before hydration the tooltip is UTC, so server and browser render the same markup.
 */
export function RelativeTime({
  date,
  fallback = 'Never',
  className,
}: {
  date: string | Date | null;
  fallback?: string;
  className?: string;
}) {
  const now = useNow();
  const hydrated = useHydrated();
  if (!date) return <span className={className}>{fallback}</span>;
  const value = toDate(date);
  if (Number.isNaN(value.getTime())) return <span className={className}>{fallback}</span>;
  return (
    <time
      dateTime={value.toISOString()}
      title={hydrated ? format(value, 'PPpp') : formatUtc(value)}
      className={className}
      suppressHydrationWarning
    >
      {formatRelative(value, now)}
    </time>
  );
}

/** A wall-clock time ("14:05") in the browser's time zone; UTC until hydrated. */
export function LocalTime({ date, className }: { date: string | Date; className?: string }) {
  const hydrated = useHydrated();
  const value = toDate(date);
  return (
    <time
      dateTime={value.toISOString()}
      title={hydrated ? format(value, 'PPpp') : formatUtc(value)}
      className={className}
      suppressHydrationWarning
    >
      {hydrated ? format(value, 'HH:mm') : `${value.toISOString().slice(11, 16)} UTC`}
    </time>
  );
}
