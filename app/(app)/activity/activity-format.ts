import type { ActivityKind, ActivityStatus } from '@/lib/history/activity-filters';
import { formatAmount } from '../_components/amount';

// Words and formats of the activity table, shared by the page (server) and nothing else: plain functions, so
// the server renders the reader's locale and time zone straight into the HTML.

export const KIND_WORDS: Record<ActivityKind, string> = {
  trade: 'Trade',
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  fee: 'Fee',
  reward: 'Reward',
  transfer: 'Transfer',
  convert: 'Convert',
  other: 'Other',
};

export const KIND_TONE = {
  trade: 'info',
  deposit: 'success',
  withdrawal: 'neutral',
  fee: 'neutral',
  reward: 'success',
  transfer: 'neutral',
  convert: 'info',
  other: 'warning',
} as const satisfies Record<ActivityKind, string>;

export const STATUS_WORDS: Record<ActivityStatus, string> = {
  ok: 'Completed',
  pending: 'Pending',
  failed: 'Failed',
  canceled: 'Canceled',
};

export const STATUS_TONE = {
  ok: 'success',
  pending: 'info',
  failed: 'danger',
  canceled: 'neutral',
} as const satisfies Record<ActivityStatus, string>;

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** "Mar 2, 2026, 10:30 AM" in the reader's locale and zone; UTC, and saying so, until the browser told its zone. */
export function formatWhen(iso: string, locale: string, timeZone: string | null, withTime = true): string {
  const key = `${locale}|${timeZone}|${withTime}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      ...(withTime ? { timeStyle: 'short' } : {}),
      timeZone: timeZone ?? 'UTC',
    });
    dateFormats.set(key, format);
  }
  const text = format.format(new Date(iso));
  return timeZone || !withTime ? text : `${text} UTC`;
}

/** "+0.5", "−1,500" (a true minus sign): the direction the balance moved, at a glance. */
export function formatSigned(value: string, locale: string): string {
  const trimmed = value.trim();
  const negative = trimmed.startsWith('-');
  const digits = formatAmount(negative ? trimmed.slice(1) : trimmed, locale);
  if (/^0([.,]0*)?$/.test(digits)) return digits;
  return `${negative ? '\u2212' : '+'}${digits}`;
}

export const isNegativeAmount = (value: string) => value.trim().startsWith('-') && !/^-0*\.?0*$/.test(value.trim());

/** "0x12ab…9f3e": enough to recognise a hash; the whole one is in the title and the export. */
export function shortHash(hash: string): string {
  return hash.length <= 14 ? hash : `${hash.slice(0, 6)}…${hash.slice(-4)}`;
}
