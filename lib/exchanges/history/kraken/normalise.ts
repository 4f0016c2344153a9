import type { Exchange } from 'ccxt';
import Decimal from 'decimal.js';
import { krakenCommonAsset } from '../../adapters/kraken';
import { isZero } from '../../amounts';
import type { ActivityEntry } from '../types';
import type { LedgerLeg } from './ledger-page';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

/** A trade's price is a quotient: kept to this many significant digits (the seeded and real ones have far fewer). */
const PRICE_DIGITS = 18;

/** When no market names a traded pair (a delisted one), the asset earlier here is the quote. */
const QUOTE_PREFERENCE = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY', 'USDT', 'USDC', 'DAI', 'BTC', 'ETH'];

/** Single-entry ledger types, as the activity kinds they are. */
const KIND_BY_TYPE: Record<string, ActivityEntry['kind']> = {
  deposit: 'deposit',
  withdrawal: 'withdrawal',
  // Staking rewards before Kraken Earn (2024); `reward` and `dividend` are rewards too.
  staking: 'reward',
  reward: 'reward',
  dividend: 'reward',
  // Spot ↔ staking, spot ↔ futures wallet moves.
  transfer: 'transfer',
  // Margin position rollover: a fee with no amount.
  rollover: 'fee',
};

interface Context {
  client: Exchange;
}

function legAsset(context: Context, leg: LedgerLeg): string {
  return krakenCommonAsset(context.client, leg.asset);
}

function feeOf(context: Context, leg: LedgerLeg): Pick<ActivityEntry, 'feeAsset' | 'feeAmount'> {
  return isZero(leg.fee)
    ? { feeAsset: null, feeAmount: null }
    : { feeAsset: legAsset(context, leg), feeAmount: leg.fee };
}

function kindOf(leg: LedgerLeg): ActivityEntry['kind'] | undefined {
  if (leg.type === 'earn') return leg.subtype === 'reward' ? 'reward' : 'transfer';
  return KIND_BY_TYPE[leg.type];
}

function describe(leg: LedgerLeg): string {
  const type = leg.subtype ? `${leg.type} / ${leg.subtype}` : leg.type;
  return `Kraken ledger entry of type “${type}”, which Coinsphere does not recognise. Its amount still counts toward the balance.`;
}

/** One ledger entry on its own: a deposit, a withdrawal, a reward … or 'other' with a note. */
function single(context: Context, leg: LedgerLeg, externalId: string, note?: string): ActivityEntry {
  const kind = note ? undefined : kindOf(leg);
  return {
    kind: kind ?? 'other',
    externalId,
    occurredAt: new Date(leg.time),
    asset: legAsset(context, leg),
    amount: leg.amount,
    counterAsset: null,
    counterAmount: null,
    price: null,
    ...feeOf(context, leg),
    status: 'ok',
    network: null,
    txHash: null,
    note: kind ? null : (note ?? describe(leg)),
  };
}

/** Which of two traded assets is the base: the one a market names first. */
function baseFirst(context: Context, a: string, b: string): boolean {
  const markets = context.client.markets ?? {};
  if (markets[`${a}/${b}`]) return true;
  if (markets[`${b}/${a}`]) return false;
  const rank = (code: string) => {
    const index = QUOTE_PREFERENCE.indexOf(code);
    return index === -1 ? QUOTE_PREFERENCE.length : index;
  };
  return rank(a) >= rank(b);
}

function quotient(numerator: string, denominator: string): string {
  return new D(numerator).abs().div(new D(denominator).abs()).toSignificantDigits(PRICE_DIGITS).toFixed();
}

/**
 * The fees of a two-sided event: the first on the entry itself; any further one (a fee in Kraken fee
 * credits beside one in the quote) as a 'fee' entry of its own, under its ledger id.
 */
function withFees(context: Context, entry: ActivityEntry, legs: LedgerLeg[]): ActivityEntry[] {
  const charged = legs.filter((leg) => !isZero(leg.fee));
  const [first, ...more] = charged;
  const main = { ...entry, ...(first ? feeOf(context, first) : { feeAsset: null, feeAmount: null }) };
  const extra = more.map((leg) => ({ ...single(context, leg, leg.id), kind: 'fee' as const, note: null }));
  return [main, ...extra];
}

/** A trade's legs: one gave an asset, the other received one; any others carry only a fee. */
function trade(context: Context, refid: string, legs: LedgerLeg[]): ActivityEntry[] | null {
  const moved = legs.filter((leg) => !isZero(leg.amount));
  if (moved.length !== 2) return null;
  const [first, second] = moved as [LedgerLeg, LedgerLeg];
  if (first.amount.startsWith('-') === second.amount.startsWith('-')) return null;
  const [base, quote] = baseFirst(context, legAsset(context, first), legAsset(context, second))
    ? [first, second]
    : [second, first];
  const entry: ActivityEntry = {
    kind: 'trade',
    externalId: refid,
    occurredAt: new Date(base.time),
    asset: legAsset(context, base),
    amount: base.amount,
    counterAsset: legAsset(context, quote),
    counterAmount: quote.amount,
    price: quotient(quote.amount, base.amount),
    status: 'ok',
    network: null,
    txHash: null,
    note: null,
  };
  return withFees(context, entry, legs);
}

/** A convert (Kraken's Buy Crypto): a `spend` and a `receive`; the entry's asset is what was received. */
function convert(context: Context, refid: string, legs: LedgerLeg[]): ActivityEntry[] | null {
  const spent = legs.filter((leg) => leg.type === 'spend');
  const received = legs.filter((leg) => leg.type === 'receive');
  if (spent.length !== 1 || received.length !== 1 || spent.length + received.length !== legs.length) return null;
  const [from, to] = [spent[0]!, received[0]!];
  const entry: ActivityEntry = {
    kind: 'convert',
    externalId: refid,
    occurredAt: new Date(to.time),
    asset: legAsset(context, to),
    amount: to.amount,
    counterAsset: legAsset(context, from),
    counterAmount: from.amount,
    price: null,
    status: 'ok',
    network: null,
    txHash: null,
    note: null,
  };
  return withFees(context, entry, legs);
}

/**
 * The ledger entries of one refid (one event) → activity entries: a trade's legs into one trade, a
 * convert's into one convert, a lone entry by its type. Legs that fit no pattern are each kept on
 * their own (under their ledger ids, as they share the refid), never dropped.
 */
export function normaliseRefGroup(client: Exchange, refid: string, legs: LedgerLeg[]): ActivityEntry[] {
  const context = { client };
  if (legs.every((leg) => leg.type === 'trade')) {
    const paired = trade(context, refid, legs);
    if (paired) return paired;
  }
  if (legs.every((leg) => leg.type === 'spend' || leg.type === 'receive')) {
    const converted = convert(context, refid, legs);
    if (converted) return converted;
  }
  if (legs.length === 1) {
    const [leg] = legs as [LedgerLeg];
    // A lone half of a trade or convert: what it is cannot be told without the other half.
    const half = ['trade', 'spend', 'receive'].includes(leg.type)
      ? `One side of a Kraken ${leg.type === 'trade' ? 'trade' : 'convert'} whose other side the ledger did not list. Its amount still counts toward the balance.`
      : undefined;
    return [single(context, leg, refid, half)];
  }
  return legs.map((leg) => single(context, leg, leg.id));
}

/** Groups legs by refid, keeping the order in which each refid first appears. */
export function groupByRefid(legs: LedgerLeg[]): Map<string, LedgerLeg[]> {
  const groups = new Map<string, LedgerLeg[]>();
  for (const leg of legs) {
    const group = groups.get(leg.refid);
    if (group) group.push(leg);
    else groups.set(leg.refid, [leg]);
  }
  return groups;
}
