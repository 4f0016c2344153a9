import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import type { SimAccount, SimHistoryEvent } from '../types';

// Kraken's ledger (POST /0/private/Ledgers): every balance change of the account, newest first, 50
// per page. `ofs` skips entries; `start` (exclusive) and `end` (inclusive) are unix seconds or a
// ledger id; `asset` and `type` filter; `count` is the number of entries matching (before `ofs`).
// https://docs.kraken.com/api/docs/rest-api/get-ledgers

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

export const LEDGER_PAGE_SIZE = 50;

/** The types Kraken's `type` filter accepts. */
const TYPE_FILTERS = new Set([
  'all',
  'trade',
  'deposit',
  'withdrawal',
  'transfer',
  'margin',
  'adjustment',
  'rollover',
  'credit',
  'settled',
  'staking',
  'dividend',
  'sale',
  'nft_rebate',
  'earn',
  'spend',
  'receive',
]);

/**
 * Kraken moved staking to "Kraken Earn" in 2024: rewards since then are type `earn`, subtype
 * `reward`; older ones are type `staking`, credited to the staked asset (DOT.S).
 */
export const EARN_LEDGER_SINCE = Date.UTC(2024, 5, 1);

/** One ledger entry as the simulator holds it: the answer's fields plus its id and position. */
export interface SimLedgerEntry {
  id: string;
  refid: string;
  /** ms */
  time: number;
  type: string;
  subtype: string;
  asset: string;
  amount: InstanceType<typeof D>;
  fee: InstanceType<typeof D>;
  balance: InstanceType<typeof D>;
}

/** How the simulator names assets: Kraken's asset id for a common code (BTC → XXBT), and its decimals. */
export interface LedgerAssets {
  idFor(code: string): string;
  /** Where staked funds sit (DOT → DOT.S, BTC → XBT.S). */
  stakedIdFor(code: string): string;
  decimals(id: string): number;
}

/** A Kraken-looking id ("TJKLXX-PGMUI-4NTLXU"), the same for the same seed on every run. */
function krakenId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const chars = [...digest.subarray(0, 16)].map((byte) => alphabet[byte % 32]).join('');
  return `${prefix}${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10, 16)}`;
}

/** The refid Kraken gives an event's ledger entries: a trade's txid, a funding reference … */
export function krakenRefId(event: SimHistoryEvent): string {
  const prefix = { trade: 'T', convert: 'T', deposit: 'Q', withdrawal: 'A', reward: 'S' }[event.kind];
  return krakenId(prefix, `ref:${event.id}`);
}

interface Leg {
  type: string;
  subtype: string;
  code: string;
  /** Credited to the staked asset (DOT.S) rather than the spot one. */
  staked?: boolean;
  amount: InstanceType<typeof D>;
  fee: InstanceType<typeof D>;
}

/** What one event writes to the ledger: a trade two legs (three with a fee in a third asset), a convert two. */
function legsOf(event: SimHistoryEvent): Leg[] {
  const zero = new D(0);
  switch (event.kind) {
    case 'trade': {
      const sign = event.side === 'buy' ? 1 : -1;
      const base = new D(event.amount).times(sign);
      const quote = new D(event.amount).times(event.price).times(-sign);
      const fee = new D(event.fee);
      const legs: Leg[] = [
        { type: 'trade', subtype: '', code: event.base, amount: base, fee: event.feeAsset === event.base ? fee : zero },
        {
          type: 'trade',
          subtype: '',
          code: event.quote,
          amount: quote,
          fee: event.feeAsset === event.quote ? fee : zero,
        },
      ];
      // A fee in neither asset (Kraken fee credits, KFEE) is a third entry with no amount.
      if (event.feeAsset !== event.base && event.feeAsset !== event.quote) {
        legs.push({ type: 'trade', subtype: '', code: event.feeAsset, amount: zero, fee });
      }
      // Kraken lists a trade's legs in no fixed order: vary it, so nothing comes to depend on one.
      return createHash('sha256').update(event.id).digest()[0]! % 2 === 0 ? legs : legs.reverse();
    }
    case 'deposit':
      return [{ type: 'deposit', subtype: '', code: event.asset, amount: new D(event.amount), fee: zero }];
    case 'withdrawal':
      return [
        {
          type: 'withdrawal',
          subtype: '',
          code: event.asset,
          amount: new D(event.amount).neg(),
          fee: new D(event.fee),
        },
      ];
    case 'reward':
      return event.time >= EARN_LEDGER_SINCE
        ? [{ type: 'earn', subtype: 'reward', code: event.asset, amount: new D(event.amount), fee: zero }]
        : [{ type: 'staking', subtype: '', code: event.asset, staked: true, amount: new D(event.amount), fee: zero }];
    case 'convert':
      return [
        { type: 'spend', subtype: '', code: event.from, amount: new D(event.fromAmount).neg(), fee: zero },
        { type: 'receive', subtype: '', code: event.to, amount: new D(event.toAmount), fee: zero },
      ];
  }
}

/** Only events that changed a balance reach the ledger: pending and failed funding never does. */
function changedBalance(event: SimHistoryEvent): boolean {
  return (event.kind !== 'deposit' && event.kind !== 'withdrawal') || (event.status ?? 'ok') === 'ok';
}

/** Rendered ledgers by history list and its length (tests push onto the list), so a page costs a filter. */
const rendered = new WeakMap<SimHistoryEvent[], { length: number; ledger: SimLedgerEntry[] }>();

/**
 * The account's ledger up to `now`, newest first (entries of one event keep their order), with
 * running balances per asset as Kraken writes them.
 */
export function krakenLedger(account: SimAccount, assets: LedgerAssets, now: number): SimLedgerEntry[] {
  const history = account.history ?? [];
  let cached = rendered.get(history);
  if (cached?.length !== history.length) {
    cached = { length: history.length, ledger: render(history, assets) };
    rendered.set(history, cached);
  }
  // Later events come after in time, so they change no earlier running balance.
  return cached.ledger.filter((entry) => entry.time <= now);
}

function render(history: SimHistoryEvent[], assets: LedgerAssets): SimLedgerEntry[] {
  const events = history
    .filter(changedBalance)
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.time - b.event.time || a.index - b.index);
  const running = new Map<string, InstanceType<typeof D>>();
  const oldestFirst: SimLedgerEntry[] = [];
  for (const { event } of events) {
    const refid = krakenRefId(event);
    // Within one event, the first leg is listed first (newest first), so it is written last.
    const legs = legsOf(event).reverse();
    legs.forEach((leg, index) => {
      const asset = leg.staked ? assets.stakedIdFor(leg.code) : assets.idFor(leg.code);
      const balance = (running.get(asset) ?? new D(0)).plus(leg.amount).minus(leg.fee);
      running.set(asset, balance);
      oldestFirst.push({
        id: krakenId('L', `ledger:${event.id}:${legs.length - 1 - index}`),
        refid,
        time: event.time,
        type: leg.type,
        subtype: leg.subtype,
        asset,
        amount: leg.amount,
        fee: leg.fee,
        balance,
      });
    });
  }
  return oldestFirst.reverse();
}

/** Kraken pads each amount to the asset's decimals ("0.5000000000"); never fewer than the seeded digits. */
function formatAmount(value: InstanceType<typeof D>, decimals: number): string {
  return value.toFixed(Math.max(decimals, value.decimalPlaces()));
}

export type LedgersAnswer = { result: unknown } | { error: string };

/** The position of a `start`/`end` bound: entries newer than it (a lower index) are after it in time. */
function bound(
  ledger: SimLedgerEntry[],
  value: string,
): { kind: 'time'; seconds: number } | { kind: 'id'; index: number } | null {
  if (/^\d+(\.\d+)?$/.test(value)) return { kind: 'time', seconds: Number(value) };
  const index = ledger.findIndex((entry) => entry.id === value);
  return index === -1 ? null : { kind: 'id', index };
}

/** The Ledgers call's parameters, from the form or JSON body ccxt signed. */
function paramsOf(body: string, contentType: string): Record<string, string> {
  if (contentType.includes('json')) {
    const parsed = JSON.parse(body || '{}') as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
  }
  return Object.fromEntries(new URLSearchParams(body));
}

/** Answers POST /0/private/Ledgers for a verified request, or the error Kraken gives for its arguments. */
export function ledgersAnswer(
  account: SimAccount,
  assets: LedgerAssets,
  request: { body: string; contentType: string; now: number },
): LedgersAnswer {
  let params: Record<string, string>;
  try {
    params = paramsOf(request.body, request.contentType);
  } catch {
    return { error: 'EGeneral:Invalid arguments' };
  }
  const ledger = krakenLedger(account, assets, request.now);
  const ofs = params.ofs === undefined ? 0 : Number(params.ofs);
  if (!Number.isInteger(ofs) || ofs < 0) return { error: 'EGeneral:Invalid arguments:ofs' };
  const type = params.type ?? 'all';
  if (!TYPE_FILTERS.has(type)) return { error: 'EGeneral:Invalid arguments:type' };
  const assetFilter = params.asset && params.asset !== 'all' ? new Set(params.asset.split(',')) : null;
  const start = params.start === undefined ? undefined : bound(ledger, params.start);
  const end = params.end === undefined ? undefined : bound(ledger, params.end);
  if (start === null) return { error: 'EGeneral:Invalid arguments:start' };
  if (end === null) return { error: 'EGeneral:Invalid arguments:end' };

  const matching = ledger.filter((entry, index) => {
    if (type !== 'all' && entry.type !== type) return false;
    if (assetFilter && !assetFilter.has(entry.asset)) return false;
    // start is exclusive: strictly newer; end inclusive.
    if (start?.kind === 'time' && !(entry.time / 1000 > start.seconds)) return false;
    if (start?.kind === 'id' && !(index < start.index)) return false;
    if (end?.kind === 'time' && !(entry.time / 1000 <= end.seconds)) return false;
    if (end?.kind === 'id' && !(index >= end.index)) return false;
    return true;
  });
  const page = matching.slice(ofs, ofs + LEDGER_PAGE_SIZE);
  const entries: Record<string, unknown> = {};
  for (const entry of page) {
    const decimals = assets.decimals(entry.asset);
    entries[entry.id] = {
      aclass: 'currency',
      amount: formatAmount(entry.amount, decimals),
      asset: entry.asset,
      balance: formatAmount(entry.balance, decimals),
      fee: formatAmount(entry.fee, decimals),
      refid: entry.refid,
      // Seconds as a JSON number with sub-second digits, as Kraken sends it.
      time: entry.time / 1000,
      type: entry.type,
      subtype: entry.subtype,
    };
  }
  const withoutCount = params.without_count === 'true';
  return { result: withoutCount ? { ledger: entries } : { ledger: entries, count: matching.length } };
}
