import type { ActivityEntry } from '@/lib/exchanges/history/types';
import { ACTIVITY_KINDS, ACTIVITY_STATUSES, type activityEntries } from '@/db/schema';

// Plain decimal strings as the exchange layer writes them ("-0.00000001", never "1e-8" or a float).
const DECIMAL = /^-?\d{1,40}(\.\d{1,40})?$/;
const MAX_TEXT = 200;
const MAX_NOTE = 500;

/** A page holds something that is not an entry the strategies produce: nothing of it is written. */
export class MalformedHistoryError extends Error {
  override name = 'MalformedHistoryError';
  constructor(detail: string) {
    super(`Malformed history page: ${detail}`);
  }
}

type EntryRow = typeof activityEntries.$inferInsert;

function text(value: unknown, field: string, index: number, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new MalformedHistoryError(`entry ${index} has no usable ${field}`);
  }
  return value;
}

function optionalText(value: unknown, field: string, index: number, max = MAX_TEXT): string | null {
  return value === undefined || value === null || value === '' ? null : text(value, field, index, max);
}

function decimal(value: unknown, field: string, index: number): string {
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new MalformedHistoryError(`entry ${index} has a ${field} that is not a decimal number`);
  }
  return value;
}

function optionalDecimal(value: unknown, field: string, index: number): string | null {
  return value === undefined || value === null ? null : decimal(value, field, index);
}

/**
 * The rows to insert for one page's entries, each checked: a known kind and status, exact decimal
 * strings, a real time, bounded texts. Throws before anything is written.
 */
export function entryRows(
  entries: readonly ActivityEntry[],
  owner: { connectionId: string; userId: string; stream: string },
): EntryRow[] {
  if (!Array.isArray(entries)) throw new MalformedHistoryError('entries is not a list');
  return entries.map((entry, index) => {
    if (!(ACTIVITY_KINDS as readonly string[]).includes(entry.kind)) {
      throw new MalformedHistoryError(`entry ${index} has an unknown kind`);
    }
    if (!(ACTIVITY_STATUSES as readonly string[]).includes(entry.status)) {
      throw new MalformedHistoryError(`entry ${index} has an unknown status`);
    }
    if (!(entry.occurredAt instanceof Date) || Number.isNaN(entry.occurredAt.getTime())) {
      throw new MalformedHistoryError(`entry ${index} has no time`);
    }
    return {
      connectionId: owner.connectionId,
      userId: owner.userId,
      stream: owner.stream,
      kind: entry.kind,
      externalId: text(entry.externalId, 'id', index),
      occurredAt: entry.occurredAt,
      asset: text(entry.asset, 'asset', index),
      amount: decimal(entry.amount, 'amount', index),
      counterAsset: optionalText(entry.counterAsset, 'counter asset', index),
      counterAmount: optionalDecimal(entry.counterAmount, 'counter amount', index),
      price: optionalDecimal(entry.price, 'price', index),
      feeAsset: optionalText(entry.feeAsset, 'fee asset', index),
      feeAmount: optionalDecimal(entry.feeAmount, 'fee amount', index),
      status: entry.status,
      network: optionalText(entry.network, 'network', index),
      txHash: optionalText(entry.txHash, 'transaction hash', index),
      note: optionalText(entry.note, 'note', index, MAX_NOTE),
    };
  });
}
