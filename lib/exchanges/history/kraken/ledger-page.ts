import { toDecimalString } from '../../amounts';
import { assertParsed, MalformedResponseError } from '../../malformed';

/**
 * One Kraken ledger entry, checked and kept exact: amounts as Kraken wrote them (normalised decimal
 * strings), the asset as Kraken's own code (XXBT, DOT.S). Small enough to wait in a cursor when the
 * rest of its refid is on the next page.
 */
export interface LedgerLeg {
  /** The ledger id (unique per entry). */
  id: string;
  /** Shared by the entries of one event (a trade's txid). */
  refid: string;
  /** ms */
  time: number;
  type: string;
  subtype: string;
  asset: string;
  /** Signed, without the fee: the balance changed by amount − fee. */
  amount: string;
  fee: string;
}

export interface LedgerPage {
  /** In Kraken's order: newest first. */
  legs: LedgerLeg[];
  /** Entries matching the request in all (Kraken's `count`). */
  count: number;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function text(entry: Record<string, unknown>, field: string, id: string): string {
  const value = entry[field];
  if (typeof value !== 'string' || value === '') {
    throw new MalformedResponseError(`Kraken sent a ledger entry without a ${field} (${id}).`);
  }
  return value;
}

function amount(entry: Record<string, unknown>, field: string, id: string): string {
  const value = entry[field] ?? '0';
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new MalformedResponseError(`Kraken sent an unreadable ${field} in a ledger entry (${id}).`);
  }
  return toDecimalString(value);
}

function timeMs(entry: Record<string, unknown>, id: string): number {
  const value = entry.time;
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new MalformedResponseError(`Kraken sent a ledger entry without a time (${id}).`);
  }
  // Kraken writes seconds with four decimals; ms is as fine as the activity table keeps.
  return Math.round(seconds * 1000);
}

/** Reads the answer of POST /0/private/Ledgers; anything that is not a ledger page is malformed. */
export function readLedgerPage(response: unknown): LedgerPage {
  assertParsed(response, 'the Kraken ledger');
  const result = (response as { result?: unknown }).result;
  if (!result || typeof result !== 'object')
    throw new MalformedResponseError('Kraken sent a ledger answer without a result.');
  const { ledger, count } = result as { ledger?: unknown; count?: unknown };
  if (!ledger || typeof ledger !== 'object' || Array.isArray(ledger)) {
    throw new MalformedResponseError('Kraken sent a ledger answer without entries.');
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new MalformedResponseError('Kraken sent a ledger answer without a count.');
  }
  const legs = Object.entries(ledger as Record<string, unknown>).map(([id, raw]): LedgerLeg => {
    if (!raw || typeof raw !== 'object')
      throw new MalformedResponseError(`Kraken sent an unreadable ledger entry (${id}).`);
    const entry = raw as Record<string, unknown>;
    return {
      id,
      refid: text(entry, 'refid', id),
      time: timeMs(entry, id),
      type: text(entry, 'type', id),
      subtype: typeof entry.subtype === 'string' ? entry.subtype : '',
      asset: text(entry, 'asset', id),
      amount: amount(entry, 'amount', id),
      fee: amount(entry, 'fee', id),
    };
  });
  return { legs, count };
}
