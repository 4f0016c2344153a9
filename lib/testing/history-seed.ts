import Decimal from 'decimal.js';
import type { SimHistoryEvent } from './exchange-simulator/types';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

export interface HistorySeedOptions {
  /** Same seed, same history. */
  seed?: number;
  /** Events to generate (deposits come first, so every balance stays non-negative). */
  count: number;
  /** The span of the history, in ms: the first event at `from`, the last before `to`. */
  from: number;
  to: number;
  /** The quote currency the account trades against (Kraken USD, Binance USDT …). */
  quote: string;
  /** Assets bought and sold against `quote`. */
  bases: string[];
  /** Which kinds besides trades and deposits to mix in. */
  kinds?: Array<'withdrawal' | 'reward' | 'convert'>;
  /** A prefix for event ids, so two seeded accounts never share one. */
  idPrefix?: string;
}

export interface SeededHistory {
  events: SimHistoryEvent[];
  /** What the events add up to, per common asset code (only events with status ok count). */
  balances: Record<string, string>;
}

/** Mulberry32: a small deterministic generator, so a seeded history is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRICES: Record<string, number> = { BTC: 60000, ETH: 3000, SOL: 150, DOT: 7, ADA: 0.5, XRP: 0.6, LTC: 80 };

/** The balance change of each asset an event makes (status ok only), exactly. */
export function balanceChanges(event: SimHistoryEvent): Array<[string, Decimal]> {
  switch (event.kind) {
    case 'trade': {
      const base = new D(event.amount);
      const quote = base.times(event.price);
      const sign = event.side === 'buy' ? 1 : -1;
      return [
        [event.base, base.times(sign)],
        [event.quote, quote.times(-sign)],
        [event.feeAsset, new D(event.fee).neg()],
      ];
    }
    case 'deposit':
      return (event.status ?? 'ok') === 'ok' ? [[event.asset, new D(event.amount)]] : [];
    case 'withdrawal':
      return (event.status ?? 'ok') === 'ok' ? [[event.asset, new D(event.amount).plus(event.fee).neg()]] : [];
    case 'reward':
      return [[event.asset, new D(event.amount)]];
    case 'convert':
      return [
        [event.from, new D(event.fromAmount).neg()],
        [event.to, new D(event.toAmount)],
      ];
  }
}

/** The balances a list of events adds up to, as exact decimal strings (zero balances left out). */
export function balancesOf(events: SimHistoryEvent[]): Record<string, string> {
  const sums = new Map<string, Decimal>();
  for (const event of events) {
    for (const [asset, change] of balanceChanges(event)) sums.set(asset, (sums.get(asset) ?? new D(0)).plus(change));
  }
  const out: Record<string, string> = {};
  for (const [asset, sum] of sums) if (!sum.isZero()) out[asset] = sum.toFixed();
  return out;
}

/**
 * A plausible account history: deposits of the quote currency and of the bases, then trades, and the
 * optional kinds, spread over [from, to) in time order, never spending more than is held.
 */
export function seedHistory(options: HistorySeedOptions): SeededHistory {
  const next = random(options.seed ?? 1);
  const prefix = options.idPrefix ?? 'sim';
  const kinds = options.kinds ?? [];
  const { quote, bases } = options;
  const held = new Map<string, Decimal>();
  const hold = (asset: string) => held.get(asset) ?? new D(0);
  const events: SimHistoryEvent[] = [];
  const step = (options.to - options.from) / Math.max(1, options.count);
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)]!;

  for (let i = 0; i < options.count; i++) {
    const time = Math.floor(options.from + i * step + next() * step * 0.5);
    const id = `${prefix}-${i + 1}`;
    let event: SimHistoryEvent;
    const roll = next();
    if (i < 2 || roll < 0.1) {
      const asset = i === 0 ? quote : pick([quote, ...bases]);
      const amount = asset === quote ? new D(Math.floor(next() * 5000) + 1000) : new D(Math.floor(next() * 900) + 100).div(100);
      event = { kind: 'deposit', id, time, asset, amount: amount.toFixed(), txHash: `0x${id.replace(/[^0-9a-z]/gi, '')}`, network: 'ETH' };
    } else if (kinds.includes('reward') && roll < 0.15) {
      event = { kind: 'reward', id, time, asset: pick(bases), amount: new D(Math.floor(next() * 1000) + 1).div(100000).toFixed() };
    } else if (kinds.includes('withdrawal') && roll < 0.2 && hold(quote).gt(200)) {
      event = { kind: 'withdrawal', id, time, asset: quote, amount: '100', fee: '1', network: 'ETH', txHash: `0xw${i}` };
    } else if (kinds.includes('convert') && roll < 0.25) {
      const from = quote;
      const to = pick(bases);
      const fromAmount = new D(Math.floor(next() * 50) + 10);
      if (hold(from).lt(fromAmount)) continue;
      const toAmount = fromAmount.div(PRICES[to] ?? 10).toDecimalPlaces(8, Decimal.ROUND_DOWN);
      event = { kind: 'convert', id, time, from, fromAmount: fromAmount.toFixed(), to, toAmount: toAmount.toFixed() };
    } else {
      const base = pick(bases);
      const price = new D(PRICES[base] ?? 10).times(0.9 + next() * 0.2).toDecimalPlaces(2);
      const side: 'buy' | 'sell' = hold(base).gt(0) && next() < 0.45 ? 'sell' : 'buy';
      let amount = new D(Math.floor(next() * 1000) + 1).div(10000);
      if (side === 'sell' && amount.gt(hold(base))) amount = hold(base);
      const cost = amount.times(price);
      const fee = cost.times('0.001').toDecimalPlaces(8, Decimal.ROUND_UP);
      if (side === 'buy' && hold(quote).lt(cost.plus(fee))) continue;
      if (amount.isZero()) continue;
      event = { kind: 'trade', id, time, base, quote, side, amount: amount.toFixed(), price: price.toFixed(), fee: fee.toFixed(), feeAsset: quote };
    }
    for (const [asset, change] of balanceChanges(event)) held.set(asset, hold(asset).plus(change));
    events.push(event);
  }
  return { events, balances: balancesOf(events) };
}
