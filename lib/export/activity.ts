import 'server-only';
import { Dec, plain } from '@/lib/prices/decimal';
import { allActivity, type ActivityEntryView, type ActivityQueryOptions } from '@/lib/history/activity-query';
import type { ActivityFilters } from '@/lib/history/activity-filters';
import { csvNumber, type CsvCell } from './csv';

// The /activity exports: every entry the filters select (all pages, streamed along the page's keyset), as a
// plain CSV with every field, and in Koinly's universal import format so a person can take it to a tax tool.

export const ACTIVITY_HEADER = [
  'date',
  'kind',
  'asset',
  'amount',
  'counter asset',
  'counter amount',
  'price',
  'fee asset',
  'fee amount',
  'value',
  'currency',
  'exchange',
  'connection',
  'status',
  'network',
  'tx hash',
  'note',
  'exchange entry id',
] as const;

/** Koinly's universal format (support.koinly.io, "How to create a custom CSV file with your data"). */
export const KOINLY_HEADER = [
  'Date',
  'Sent Amount',
  'Sent Currency',
  'Received Amount',
  'Received Currency',
  'Fee Amount',
  'Fee Currency',
  'Net Worth Amount',
  'Net Worth Currency',
  'Label',
  'Description',
  'TxHash',
] as const;

type Entry = ActivityEntryView & { currency: string };

/** One row per entry, every field, amounts exact and signed as the balance changed; dates ISO 8601 UTC. */
export async function* activityCsvRows(
  userId: string,
  filters: ActivityFilters,
  options: ActivityQueryOptions = {},
): AsyncGenerator<CsvCell[]> {
  for await (const entry of allActivity(userId, filters, options)) {
    yield [
      entry.occurredAt,
      entry.kind,
      entry.asset,
      csvNumber(entry.amount),
      entry.counterAsset,
      csvNumber(entry.counterAmount),
      csvNumber(entry.price),
      entry.feeAsset,
      csvNumber(entry.feeAmount),
      csvNumber(entry.value),
      entry.value === null ? null : entry.currency,
      entry.exchangeName,
      entry.connectionLabel,
      entry.status,
      entry.network,
      entry.txHash,
      entry.note,
      entry.externalId,
    ];
  }
}

/** "2026-03-01 14:05:09 UTC": Koinly wants UTC, to the second. */
export function koinlyDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * Koinly's labels where it has one: rewards are income ("reward"), a fee the exchange charged on its own is an
 * expense ("cost"). Deposits, withdrawals and transfers stay unlabelled: Koinly matches transfers between a
 * person's own wallets itself.
 */
const KOINLY_LABELS: Partial<Record<Entry['kind'], string>> = { reward: 'reward', fee: 'cost' };

const magnitude = (value: string) => plain(new Dec(value).abs());

/**
 * The Koinly rows of one entry: what left the balance is "sent", what arrived "received", both positive; the
 * fee in its own columns. Only entries that changed the balance (status ok): a failed or pending withdrawal is
 * not a disposal. A fee-only entry is sent as a "cost".
 */
export function koinlyRows(entry: Entry): CsvCell[][] {
  if (entry.status !== 'ok') return [];
  const legs = [
    { asset: entry.asset, amount: entry.amount },
    { asset: entry.counterAsset, amount: entry.counterAmount },
  ].filter(
    (leg): leg is { asset: string; amount: string } => !!leg.asset && !!leg.amount && !new Dec(leg.amount).isZero(),
  );
  const sent = legs.filter((leg) => new Dec(leg.amount).isNegative());
  const received = legs.filter((leg) => !new Dec(leg.amount).isNegative());
  const hasFee = !!entry.feeAsset && !!entry.feeAmount && !new Dec(entry.feeAmount).isZero();
  let label = KOINLY_LABELS[entry.kind] ?? null;
  const description = `${entry.exchangeName} ${entry.kind} (${entry.connectionLabel})${entry.note ? `: ${entry.note}` : ''}`;
  const row = (
    out: { asset: string; amount: string } | undefined,
    into: { asset: string; amount: string } | undefined,
    fee: boolean,
  ): CsvCell[] => [
    koinlyDate(entry.occurredAt),
    out ? csvNumber(magnitude(out.amount)) : null,
    out?.asset ?? null,
    into ? csvNumber(magnitude(into.amount)) : null,
    into?.asset ?? null,
    fee ? csvNumber(magnitude(entry.feeAmount!)) : null,
    fee ? entry.feeAsset : null,
    csvNumber(entry.value),
    entry.value === null ? null : entry.currency,
    label,
    description,
    entry.txHash,
  ];
  if (legs.length === 0) {
    if (!hasFee) return [];
    label = 'cost';
    return [row({ asset: entry.feeAsset!, amount: entry.feeAmount! }, undefined, false)];
  }
  // One side out, one in (a trade, a convert), or a single movement: one row.
  if (sent.length <= 1 && received.length <= 1) return [row(sent[0], received[0], hasFee)];
  // Both sides the same way (an exchange's odd bookkeeping): one row each, the fee on the first.
  return legs.map((leg, index) =>
    new Dec(leg.amount).isNegative()
      ? row(leg, undefined, hasFee && index === 0)
      : row(undefined, leg, hasFee && index === 0),
  );
}

export async function* koinlyCsvRows(
  userId: string,
  filters: ActivityFilters,
  options: ActivityQueryOptions = {},
): AsyncGenerator<CsvCell[]> {
  for await (const entry of allActivity(userId, filters, options)) yield* koinlyRows(entry);
}
