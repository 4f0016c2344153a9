import Decimal from 'decimal.js';
import type { ActivityEntry } from '../types';
import { LONE_SIDE_NOTE, lineRole, type LedgerLine } from './ledger-line';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

/**
 * A line's balance change split the way activity entries sign it: `amount` without the fee, and the
 * fee on top. KuCoin's amount already includes the fee, so an "in" received amount + fee before the
 * fee was taken, and an "out" sent amount − fee besides the fee.
 */
function signed(line: LedgerLine): { amount: Decimal; fee: Decimal } {
  const amount = new D(line.amount);
  const fee = new D(line.fee);
  return { amount: line.direction === 'in' ? amount.plus(fee) : amount.minus(fee).neg(), fee };
}

const feeFields = (asset: string, fee: Decimal) =>
  fee.isZero() ? { feeAsset: null, feeAmount: null } : { feeAsset: asset, feeAmount: fee.toFixed() };

function singleEntry(line: LedgerLine, kind: ActivityEntry['kind'], note?: string): ActivityEntry {
  const { amount, fee } = signed(line);
  return {
    kind,
    externalId: line.id,
    occurredAt: new Date(line.createdAt),
    asset: line.asset,
    amount: amount.toFixed(),
    ...feeFields(line.asset, fee),
    status: 'ok',
    txHash: kind === 'deposit' || kind === 'withdrawal' ? line.txHash : null,
    network: null,
    note: note ?? null,
  };
}

/** Both sides of one trade (base first) or convert (received first) as one entry. */
function pairedEntry(kind: 'trade' | 'convert', lines: [LedgerLine, LedgerLine]): ActivityEntry {
  const [main, counter] = orient(kind, lines);
  const mainSide = signed(main);
  const counterSide = signed(counter);
  // One fee per entry: the counter side's (a trade's quote) when it paid one; then a fee the main side
  // also paid stays inside its amount, which keeps the balance change exact.
  const feeOnCounter = !counterSide.fee.isZero();
  const amount = feeOnCounter ? mainSide.amount.minus(mainSide.fee) : mainSide.amount;
  const fee = feeOnCounter ? feeFields(counter.asset, counterSide.fee) : feeFields(main.asset, mainSide.fee);
  return {
    kind,
    externalId: kind === 'trade' ? `${main.tradeId}:${main.orderId}` : (main.orderId ?? main.id),
    occurredAt: new Date(Math.max(main.createdAt, counter.createdAt)),
    asset: main.asset,
    amount: amount.toFixed(),
    counterAsset: counter.asset,
    counterAmount: counterSide.amount.toFixed(),
    price:
      kind === 'trade' && !mainSide.amount.isZero()
        ? counterSide.amount.abs().div(mainSide.amount.abs()).toDecimalPlaces(18).toFixed()
        : null,
    ...fee,
    status: 'ok',
    network: null,
    txHash: null,
    note: null,
  };
}

/** A trade's base side comes first (the market says which it is); a convert's received side. */
function orient(kind: 'trade' | 'convert', [a, b]: [LedgerLine, LedgerLine]): [LedgerLine, LedgerLine] {
  if (kind === 'trade') {
    const base = (a.symbol ?? b.symbol)?.split('-')[0];
    if (base !== undefined) return b.currencyId === base && a.currencyId !== base ? [b, a] : [a, b];
  }
  return a.direction === 'out' && b.direction === 'in' ? [b, a] : [a, b];
}

/** The lines of one exchange (one trade by one order, or one convert order) share this key. */
function pairKey(line: LedgerLine, kind: 'trade' | 'convert'): string {
  return kind === 'trade' ? `t:${line.tradeId}:${line.orderId}` : `c:${line.orderId}`;
}

/** A side still waiting for its other side, as it would be written alone. */
export function loneEntry(line: LedgerLine): ActivityEntry {
  const role = lineRole(line);
  return singleEntry(line, role.paired || role.kind, LONE_SIDE_NOTE);
}

/**
 * Turns a page of ledger lines into entries: single lines at once, the two sides of a trade or convert
 * as one entry once both are seen. A side whose other side is not on this page (a page or window
 * boundary fell between them) is returned in `waiting`, for the next page to complete.
 */
export function entriesOf(
  lines: LedgerLine[],
  waiting: LedgerLine[],
): { entries: ActivityEntry[]; waiting: LedgerLine[] } {
  const entries: ActivityEntry[] = [];
  const open = new Map<string, LedgerLine>();
  for (const line of waiting) {
    const role = lineRole(line);
    if (role.paired) open.set(pairKey(line, role.paired), line);
  }
  const seen = new Set(waiting.map((line) => line.id));
  for (const line of lines) {
    // Paging a window that grew may show a line twice; the second copy is not a second side.
    if (seen.has(line.id)) continue;
    seen.add(line.id);
    const role = lineRole(line);
    if (!role.paired) {
      entries.push(singleEntry(line, role.kind, role.note));
      continue;
    }
    const key = pairKey(line, role.paired);
    const other = open.get(key);
    if (other) {
      open.delete(key);
      entries.push(pairedEntry(role.paired, [other, line]));
    } else {
      open.set(key, line);
    }
  }
  return { entries, waiting: [...open.values()] };
}
