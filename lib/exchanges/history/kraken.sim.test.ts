import { randomBytes } from 'node:crypto';
import { DDoSProtection } from 'ccxt';
import Decimal from 'decimal.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchBalances } from '../balances';
import { withExchangeClient } from '../client';
import { classifyExchangeError } from '../errors';
import { krakenHistory } from './kraken';
import { readLedgerPage } from './kraken/ledger-page';
import { groupByRefid, normaliseRefGroup } from './kraken/normalise';
import type { ActivityEntry } from './types';
import { withTestDatabase } from '@/lib/testing/database';
import { krakenRefId } from '@/lib/testing/exchange-simulator/exchanges/kraken-history';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimHistoryEvent } from '@/lib/testing/exchange-simulator/types';
import { emptyHarnessState, runHistoryImport, type HarnessState } from '@/lib/testing/history-harness';
import { balancesOf, seedHistory } from '@/lib/testing/history-seed';
import { withSimulator } from '@/lib/testing/simulator';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const PAGE = 50;
const LEDGERS = '/0/private/Ledgers';
/** Kraken's ids for the common codes the seeded histories use. */
const KRAKEN_IDS: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', USD: 'ZUSD', DOT: 'DOT', SOL: 'SOL' };
const DAY = 86_400_000;

let sim: ExchangeSimulator;
let keyCount = 0;

interface Account {
  apiKey: string;
  secret: string;
}

/** An account holding exactly what `history` adds up to, plus `extra` (common codes), in Kraken's codes. */
function seedAccount(history: SimHistoryEvent[], extra: Record<string, string> = {}): Account {
  const apiKey = `kraken-history-${++keyCount}-${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  const held = { ...balancesOf(history) };
  for (const [asset, amount] of Object.entries(extra)) held[asset] = new D(held[asset] ?? 0).plus(amount).toFixed();
  const spot = Object.fromEntries(
    Object.entries(held).map(([asset, amount]) => [KRAKEN_IDS[asset] ?? asset, { free: amount, used: '0' }]),
  );
  sim.addAccount({ exchange: 'kraken', apiKey, secret, wallets: { spot }, history: [...history] });
  return { apiKey, secret };
}

function importHistory(account: Account, state: HarnessState, maxPages?: number) {
  // ccxt's own throttle (about 6 s per ledger page) is off: the simulator does not limit, the test measures requests.
  return withExchangeClient('kraken', account, { purpose: 'history', enableRateLimit: false }, (client) =>
    runHistoryImport(krakenHistory, client, state, { maxPages }),
  );
}

const exact = (value: Decimal.Value) => new D(value).toFixed();

/** What the import must hold for these events, built from the events alone. */
function expectedEntries(events: SimHistoryEvent[]): ActivityEntry[] {
  const none = { network: null, txHash: null, note: null, status: 'ok' as const };
  const single = { counterAsset: null, counterAmount: null, price: null, feeAsset: null, feeAmount: null };
  return events.flatMap((event): ActivityEntry[] => {
    const base = { externalId: krakenRefId(event), occurredAt: new Date(event.time), ...none };
    switch (event.kind) {
      case 'trade': {
        const sign = event.side === 'buy' ? 1 : -1;
        return [
          {
            ...base,
            kind: 'trade',
            asset: event.base,
            amount: exact(new D(event.amount).times(sign)),
            counterAsset: event.quote,
            counterAmount: exact(new D(event.amount).times(event.price).times(-sign)),
            price: exact(event.price),
            feeAsset: event.feeAsset,
            feeAmount: exact(event.fee),
          },
        ];
      }
      case 'deposit':
        if ((event.status ?? 'ok') !== 'ok') return [];
        return [{ ...base, ...single, kind: 'deposit', asset: event.asset, amount: exact(event.amount) }];
      case 'withdrawal':
        if ((event.status ?? 'ok') !== 'ok') return [];
        return [
          {
            ...base,
            ...single,
            kind: 'withdrawal',
            asset: event.asset,
            amount: exact(new D(event.amount).neg()),
            feeAsset: event.asset,
            feeAmount: exact(event.fee),
          },
        ];
      case 'reward':
        return [{ ...base, ...single, kind: 'reward', asset: event.asset, amount: exact(event.amount) }];
      case 'convert':
        return [
          {
            ...base,
            ...single,
            kind: 'convert',
            asset: event.to,
            amount: exact(event.toAmount),
            counterAsset: event.from,
            counterAmount: exact(new D(event.fromAmount).neg()),
          },
        ];
    }
  });
}

/** How many ledger entries Kraken writes for these events: a trade and a convert two, the rest one. */
function ledgerSize(events: SimHistoryEvent[]): number {
  return events.reduce((sum, event) => {
    if (event.kind === 'trade' || event.kind === 'convert') return sum + 2;
    if ((event.kind === 'deposit' || event.kind === 'withdrawal') && (event.status ?? 'ok') !== 'ok') return sum;
    return sum + 1;
  }, 0);
}

/** The positions in the newest-first ledger where each event's entries begin (the simulator's order). */
function eventStarts(events: SimHistoryEvent[]): Set<number> {
  const newestFirst = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => b.event.time - a.event.time || b.index - a.index);
  const starts = new Set<number>();
  let position = 0;
  for (const { event } of newestFirst) {
    const size = ledgerSize([event]);
    if (size > 0) starts.add(position);
    position += size;
  }
  return starts;
}

/** Whether a page boundary of the newest-first ledger falls between two entries of one event. */
function splitsAnEvent(events: SimHistoryEvent[]): boolean {
  const starts = eventStarts(events);
  const size = ledgerSize(events);
  for (let boundary = PAGE; boundary < size; boundary += PAGE) if (!starts.has(boundary)) return true;
  return false;
}

const keyOf = (entry: ActivityEntry) => `${entry.kind}:${entry.externalId}`;
const sorted = (entries: Iterable<ActivityEntry>) => [...entries].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

/** Per asset, what the imported entries add up to (status ok): amount + counterAmount − fee. */
function sums(entries: Iterable<ActivityEntry>): Record<string, string> {
  const totals = new Map<string, Decimal>();
  const add = (asset: string | null | undefined, amount: string | null | undefined, sign = 1) => {
    if (!asset || !amount) return;
    totals.set(asset, (totals.get(asset) ?? new D(0)).plus(new D(amount).times(sign)));
  };
  for (const entry of entries) {
    if (entry.status !== 'ok') continue;
    add(entry.asset, entry.amount);
    add(entry.counterAsset, entry.counterAmount);
    add(entry.feeAsset, entry.feeAmount, -1);
  }
  return Object.fromEntries(
    [...totals].filter(([, sum]) => !sum.isZero()).map(([asset, sum]) => [asset, sum.toFixed()]),
  );
}

function ledgerRequests(account: Account) {
  return sim.log({ apiKey: account.apiKey }).map((entry) => `${entry.path} ${entry.status}`);
}

/** A few hundred events over two and a half years, crossing Kraken's move from `staking` to `earn` rewards. */
function history(prefix: string, count = 300, to = Date.now() - DAY) {
  return seedHistory({
    seed: 15,
    count,
    from: Date.UTC(2023, 0, 1),
    to,
    quote: 'USD',
    bases: ['BTC', 'ETH', 'DOT', 'SOL'],
    kinds: ['withdrawal', 'reward', 'convert'],
    idPrefix: prefix,
  });
}

/** Events the seed does not make: a trade paying its fee in the base asset, funding that never completed. */
function extras(prefix: string, time: number): SimHistoryEvent[] {
  return [
    {
      kind: 'trade',
      id: `${prefix}-fee-in-base`,
      time,
      base: 'BTC',
      quote: 'USD',
      side: 'buy',
      amount: '0.01',
      price: '61000.1',
      fee: '0.00002',
      feeAsset: 'BTC',
    },
    { kind: 'deposit', id: `${prefix}-pending`, time: time + 1000, asset: 'USD', amount: '500', status: 'pending' },
    {
      kind: 'withdrawal',
      id: `${prefix}-failed`,
      time: time + 2000,
      asset: 'USD',
      amount: '50',
      fee: '1',
      status: 'failed',
    },
  ];
}

withTestDatabase();
withSimulator((s) => {
  sim = s;
});

beforeEach(() => {
  sim.clearLog();
});

describe('kraken history through the simulator', () => {
  const seeded = history('full');
  const events = [...seeded.events, ...extras('full', Date.now() - DAY / 2)];
  const expected = sorted(expectedEntries(events));

  it('backfills the whole ledger exactly, in the fewest pages Kraken allows', async () => {
    expect(splitsAnEvent(events)).toBe(true);
    expect(new Set(events.map((event) => event.kind))).toEqual(
      new Set(['trade', 'deposit', 'withdrawal', 'reward', 'convert']),
    );
    const account = seedAccount(events);
    // Kraken has not written what has not happened yet.
    const future: SimHistoryEvent = {
      kind: 'deposit',
      id: 'future',
      time: Date.now() + DAY,
      asset: 'USD',
      amount: '1',
    };
    sim.ctx.accounts.get(account.apiKey)!.history!.push(future);
    const state = emptyHarnessState();

    const run = await importHistory(account, state);

    expect(run.finished).toBe(true);
    expect(sorted(state.entries.values())).toEqual(expected);
    const minimum = Math.ceil(ledgerSize(events) / PAGE);
    expect(ledgerRequests(account)).toEqual(Array.from({ length: minimum }, () => `${LEDGERS} 200`));
    expect(state.streams.get('ledger')).toMatchObject({ backfilled: true });
  });

  it('adds nothing on a second run, in one request', async () => {
    const account = seedAccount(events);
    const state = emptyHarnessState();
    await importHistory(account, state);
    sim.clearLog();

    const run = await importHistory(account, state);

    expect(run).toMatchObject({ added: 0, finished: true });
    expect(sorted(state.entries.values())).toEqual(expected);
    expect(ledgerRequests(account)).toEqual([`${LEDGERS} 200`]);
  });

  it('resumes a killed backfill exactly, while new activity arrives in between', async () => {
    const account = seedAccount(events);
    const state = emptyHarnessState();

    expect(await importHistory(account, state, 3)).toMatchObject({ pages: 3, finished: false });
    // Newer entries shift every offset of the ledger; the backfill keeps to the window it started.
    // As many as put the 4th page's old offset in the middle of an event (not page 3's last, held back).
    const starts = eventStarts(events);
    const shift = Array.from({ length: 20 }, (_, k) => k + 2).find((k) => {
      const reread = 3 * PAGE - k;
      const pageThreeEnds = [...starts].some((start) => start > reread && start < 3 * PAGE);
      return !starts.has(reread) && pageThreeEnds;
    });
    expect(shift).toBeDefined();
    const later: SimHistoryEvent[] = Array.from({ length: shift! }, (_, i) => ({
      kind: 'deposit',
      id: `during-${i}`,
      time: Date.now() - 1000,
      asset: 'USD',
      amount: '10',
    }));
    sim.ctx.accounts.get(account.apiKey)!.history!.push(...later);
    expect(await importHistory(account, state, 2)).toMatchObject({ pages: 2, finished: false });
    expect(await importHistory(account, state)).toMatchObject({ finished: true });

    expect(sorted(state.entries.values())).toEqual(expected);
    // The next run is incremental and brings exactly the new events.
    expect(await importHistory(account, state)).toMatchObject({ added: expectedEntries(later).length });
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries([...events, ...later])));
  });

  it('imports only the new activity incrementally, across pages', async () => {
    const account = seedAccount(events);
    const state = emptyHarnessState();
    await importHistory(account, state);
    const newer = history('newer', 60, Date.now() - 2000).events.map((event, index) => ({
      ...event,
      time: Date.now() - 60_000 + index * 500,
    }));
    expect(ledgerSize(newer)).toBeGreaterThan(PAGE);
    sim.ctx.accounts.get(account.apiKey)!.history!.push(...newer);
    sim.clearLog();

    const run = await importHistory(account, state);

    expect(run.added).toBe(expectedEntries(newer).length);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries([...events, ...newer])));
    expect(ledgerRequests(account)).toHaveLength(Math.ceil(ledgerSize(newer) / PAGE));
  });

  it('adds up to the balances exactly, and shows exactly what the wallets hold beyond the history', async () => {
    const consistent = seedAccount(events);
    const inconsistent = seedAccount(events, { BTC: '0.1', DOT: '2.5' });
    const imported = { consistent: emptyHarnessState(), inconsistent: emptyHarnessState() };
    await importHistory(consistent, imported.consistent);
    await importHistory(inconsistent, imported.inconsistent);

    expect(sums(imported.consistent.entries.values())).toEqual(balancesOf(events));

    const { rows } = await fetchBalances({ exchangeId: 'kraken', credentials: inconsistent });
    const explained = sums(imported.inconsistent.entries.values());
    const difference = Object.fromEntries(
      rows
        .map((row) => [row.asset, new D(row.total).minus(explained[row.asset] ?? 0)] as const)
        .filter(([, diff]) => !diff.isZero())
        .map(([asset, diff]) => [asset, diff.toFixed()]),
    );
    expect(difference).toEqual({ BTC: '0.1', DOT: '2.5' });
  });

  it('keeps events whole when a page holds nothing but entries of one instant', async () => {
    const instant = Date.now() - DAY;
    const deposits: SimHistoryEvent[] = Array.from({ length: 60 }, (_, i) => ({
      kind: 'deposit',
      id: `instant-deposit-${i}`,
      time: instant - DAY * (60 - i),
      asset: 'USD',
      amount: '1000',
    }));
    const trades: SimHistoryEvent[] = Array.from({ length: 30 }, (_, i) => ({
      kind: 'trade',
      id: `instant-trade-${i}`,
      time: instant,
      base: 'ETH',
      quote: 'USD',
      side: 'buy',
      amount: '0.1',
      price: String(3000 + i),
      fee: '0.3',
      feeAsset: 'USD',
    }));
    // One newer entry, so the first page ends between a trade's two entries.
    const newest: SimHistoryEvent = {
      kind: 'reward',
      id: 'instant-reward',
      time: instant + 1000,
      asset: 'ETH',
      amount: '0.001',
    };
    const all = [...deposits, ...trades, newest];
    expect(splitsAnEvent(all)).toBe(true);
    const account = seedAccount(all);
    const state = emptyHarnessState();

    await importHistory(account, state);

    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(all)));
    expect(ledgerRequests(account)).toHaveLength(3);
  });

  it.each([
    ['truncated', 'malformed'],
    ['html', 'malformed'],
    ['server_error', 'transient'],
    ['auth', 'auth'],
  ] as const)('fails a page on a %s answer as %s, and resumes exactly', async (fault, kind) => {
    const small = history(`fault-${fault}`, 60).events;
    const account = seedAccount(small);
    const state = emptyHarnessState();
    await importHistory(account, state, 1);
    const before = sorted(state.entries.values());
    sim.addFault(account.apiKey, { kind: fault, pathIncludes: LEDGERS });

    const error = await importHistory(account, state).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(classifyExchangeError(error)).toMatchObject({ kind });
    expect(sorted(state.entries.values())).toEqual(before);
    await importHistory(account, state);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(small)));
  });

  it('throws ccxt’s rate-limit error with the Retry-After on a 429, and resumes exactly', async () => {
    const account = seedAccount(events);
    const state = emptyHarnessState();
    await importHistory(account, state, 2);
    sim.addFault(account.apiKey, { kind: 'rate_limit', pathIncludes: LEDGERS, retryAfterSeconds: 7 });

    const error = await importHistory(account, state).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(DDoSProtection);
    expect(classifyExchangeError(error)).toMatchObject({ kind: 'rate_limit', retryAfterMs: 7000 });
    await importHistory(account, state);
    expect(sorted(state.entries.values())).toEqual(expected);
  });
});

describe('kraken ledger normaliser', () => {
  const time = Date.UTC(2025, 2, 1, 12);
  type RawEntry = { type: string; asset: string; amount: string; fee?: string; subtype?: string };
  /**
   * Raw ledger entries of one refid as Kraken sends them, read and normalised as a page
   * is; the normaliser needs ccxt's currencies and markets (as loaded from the simulator), not a request.
   */
  function normalise(raw: Record<string, RawEntry>) {
    const ledger = Object.fromEntries(
      Object.entries(raw).map(([id, entry]) => [
        id,
        { refid: 'REF-1', time: time / 1000, subtype: '', fee: '0.0000', aclass: 'currency', balance: '0', ...entry },
      ]),
    );
    const { legs } = readLedgerPage({ error: [], result: { ledger, count: Object.keys(raw).length } });
    const account = seedAccount([]);
    return withExchangeClient('kraken', account, { purpose: 'history' }, async (client) =>
      [...groupByRefid(legs)].flatMap(([refid, group]) => normaliseRefGroup(client, refid, group)),
    );
  }
  const plain = { counterAsset: null, counterAmount: null, price: null, network: null, txHash: null, status: 'ok' };

  it('keeps a type it does not know as kind other, with a note and the exact amount', async () => {
    const entries = await normalise({
      L1: { type: 'adjustment', asset: 'XXBT', amount: '-0.0000012300', fee: '0.0000000100' },
    });

    expect(entries).toEqual([
      {
        ...plain,
        kind: 'other',
        externalId: 'REF-1',
        occurredAt: new Date(time),
        asset: 'BTC',
        amount: '-0.00000123',
        feeAsset: 'BTC',
        feeAmount: '0.00000001',
        note: expect.stringContaining('“adjustment”'),
      },
    ]);
  });

  it('pairs a trade whose fee is in Kraken fee credits and in the quote: the second fee is an entry of its own', async () => {
    const entries = await normalise({
      L1: { type: 'trade', asset: 'ZUSD', amount: '-3000.0000', fee: '4.8000' },
      L2: { type: 'trade', asset: 'KFEE', amount: '0.00', fee: '120.00' },
      L3: { type: 'trade', asset: 'XETH', amount: '1.0000000000' },
    });

    expect(entries).toEqual([
      {
        ...plain,
        kind: 'trade',
        externalId: 'REF-1',
        occurredAt: new Date(time),
        asset: 'ETH',
        amount: '1',
        counterAsset: 'USD',
        counterAmount: '-3000',
        price: '3000',
        feeAsset: 'USD',
        feeAmount: '4.8',
        note: null,
      },
      {
        ...plain,
        kind: 'fee',
        externalId: 'L2',
        occurredAt: new Date(time),
        asset: 'KFEE',
        amount: '0',
        feeAsset: 'KFEE',
        feeAmount: '120',
        note: null,
      },
    ]);
  });

  it('reads the base of a pair no market lists from the usual quotes, and keeps a price to 18 digits', async () => {
    const [entry] = await normalise({
      L1: { type: 'trade', asset: 'ZEUR', amount: '10.0000' },
      L2: { type: 'trade', asset: 'XLTC', amount: '-0.3000000000' },
    });

    expect(entry).toMatchObject({ asset: 'LTC', amount: '-0.3', counterAsset: 'EUR', counterAmount: '10' });
    expect(entry?.price).toBe('33.3333333333333333');
  });

  it('keeps a lone half of a trade as other, and entries sharing a refid each under its ledger id', async () => {
    expect(await normalise({ L1: { type: 'trade', asset: 'XXBT', amount: '0.5' } })).toEqual([
      expect.objectContaining({
        kind: 'other',
        externalId: 'REF-1',
        asset: 'BTC',
        amount: '0.5',
        note: expect.stringContaining('other side'),
      }),
    ]);
    const staking = await normalise({
      L1: { type: 'earn', subtype: 'allocation', asset: 'DOT', amount: '-10.0000000000' },
      L2: { type: 'earn', subtype: 'allocation', asset: 'DOT.B', amount: '10.0000000000' },
    });
    expect(staking).toEqual([
      expect.objectContaining({ kind: 'transfer', externalId: 'L1', asset: 'DOT', amount: '-10' }),
      expect.objectContaining({ kind: 'transfer', externalId: 'L2', asset: 'DOT', amount: '10' }),
    ]);
  });
});
