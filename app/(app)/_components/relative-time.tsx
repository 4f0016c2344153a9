'use client';

import { useLocale, useTimeZone } from '@/app/_components/locale/locale-provider';
import { formatRelative } from './durations';
import { useNow } from './use-now';

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let formatter = dateFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    dateFormatters.set(key, formatter);
  }
  return formatter;
}

/**
 * The date and time in the reader's locale and time zone ("4 Dec 2026, 14:05", "04.12.2026, 14:05").
 * With no time zone known yet (the browser's first page) it is UTC, and says so.
 */
export function formatDateTime(date: Date, locale: string, timeZone: string | null): string {
  const text = dateFormatter(locale, timeZone ?? 'UTC', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  return timeZone ? text : `${text} UTC`;
}

/** A wall-clock time ("14:05", "2:05 PM"), in the same locale and time zone as `formatDateTime`. */
export function formatTime(date: Date, locale: string, timeZone: string | null): string {
  const text = dateFormatter(locale, timeZone ?? 'UTC', { timeStyle: 'short' }).format(date);
  return timeZone ? text : `${text} UTC`;
}

export function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * A relative time that keeps itself current (every 30 s), with the exact date and time in the reader's
 * locale and time zone as its tooltip. Server and hydration pass use the same locale and time zone
 * (LocaleProvider), so the markup matches.
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
  const locale = useLocale();
  const timeZone = useTimeZone();
  if (!date) return <span className={className}>{fallback}</span>;
  const value = toDate(date);
  if (Number.isNaN(value.getTime())) return <span className={className}>{fallback}</span>;
  return (
    <time
      dateTime={value.toISOString()}
      title={formatDateTime(value, locale, timeZone)}
      className={className}
      suppressHydrationWarning
    >
      {formatRelative(value, now)}
    </time>
  );
}

/** A wall-clock time ("14:05", "2:05 PM") in the reader's locale and time zone. */
export function LocalTime({ date, className }: { date: string | Date; className?: string }) {
  const locale = useLocale();
  const timeZone = useTimeZone();
  const value = toDate(date);
  return (
    <time dateTime={value.toISOString()} title={formatDateTime(value, locale, timeZone)} className={className}>
      {formatTime(value, locale, timeZone)}
    </time>
  );
}
