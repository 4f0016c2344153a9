import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { RateLimitExceeded, type Exchange } from 'ccxt';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimHistoryEvent } from '@/lib/testing/exchange-simulator/types';
import { coinbaseIdsOf } from '@/lib/testing/exchange-simulator/exchanges/coinbase-history';
import { balancesOf, seedHistory } from '@/lib/testing/history-seed';
import { emptyHarnessState, runHistoryImport, type HarnessState } from '@/lib/testing/history-harness';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';
import type { ExchangeCredentials } from '@/lib/vault/credentials';
import { withExchangeClient } from '../client';
import { classifyExchangeError } from '../errors';
import { coinbaseHistory } from './coinbase';
import type { ActivityEntry } from './types';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const DAY = 24 * 3600_000;
const FIAT = new Set(['USD']);
const FILLS_PAGE = 1000;
const TRANSACTIONS_PAGE = 100;

let sim: ExchangeSimulator;

withTestDatabase();
withSimulator((s) => {
  sim = s;
  sim.ctx.tickers.coinbase = { 'BTC/USD': '60000', 'ETH/USD': '3000', 'SOL/USD': '150' };
  // The v3 accounts list in pages of 250, as on Coinbase (the balance tests shrink it to 2).
  sim.ctx.coinbasePageSize = 250;
});

beforeEach(() => sim.clearLog());

function es256Key(): ExchangeCredentials {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { apiKey: `organizations/${randomUUID()}/apiKeys/${randomUUID()}`, secret: privateKey };
}

/** A seeded history with a crypto withdrawal (network fee), a pending deposit, a failed one and a later reward added. */
function history(seed: number, count: number): SimHistoryEvent[] {
  const now = Date.now();
  const { events, balances } = seedHistory({
    seed,
    count,
    from: now - 400 * DAY,
    to: now - 20 * DAY,
    quote: 'USD',
    bases: ['BTC', 'ETH', 'SOL'],
    kinds: ['withdrawal', 'reward', 'convert'],
    idPrefix: `cb${seed}`,
  });
  const held = new D(balances.ETH ?? '0');
  const sent = held.div(10).toDecimalPlaces(4, Decimal.ROUND_DOWN);
  if (sent.gt(0)) {
    events.push({
      kind: 'withdrawal',
      id: `cb${seed}-send`,
      time: now - 10 * DAY,
      asset: 'ETH',
      amount: sent.toFixed(),
      fee: '0.00042',
      network: 'ethereum',
      txHash: '0xsend',
    });
  }
  events.push(
    {
      kind: 'deposit',
      id: `cb${seed}-pending`,
      time: now - 5 * DAY,
      asset: 'SOL',
      amount: '3',
      status: 'pending',
      network: 'solana',
      txHash: 'solpending',
    },
    {
      kind: 'deposit',
      id: `cb${seed}-failed`,
      time: now - 4 * DAY,
      asset: 'BTC',
      amount: '1',
      status: 'failed',
      network: 'bitcoin',
      txHash: 'btcfailed',
    },
    // Newer than the pending deposit in the same wallet, so an incremental pass must look back past it.
    { kind: 'reward', id: `cb${seed}-later-reward`, time: now - 2 * DAY, asset: 'SOL', amount: '0.0042' },
  );
  return events;
}

function seedAccount(events: SimHistoryEvent[], extra: Record<string, string> = {}): ExchangeCredentials {
  const key = es256Key();
  const spot: Record<string, { free: string; used: string }> = {};
  for (const [asset, amount] of Object.entries(balancesOf(events))) spot[asset] = { free: amount, used: '0' };
  for (const [asset, amount] of Object.entries(extra)) {
    spot[asset] = { free: new D(spot[asset]?.free ?? '0').plus(amount).toFixed(), used: '0' };
  }
  sim.addAccount({
    exchange: 'coinbase',
    apiKey: key.apiKey,
    secret: key.secret ?? '',
    wallets: { spot },
    history: events,
  });
  return key;
}

const neg = (value: string) => new D(value).neg().toFixed();
const plain = (value: string) => new D(value).toFixed();
const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
const STATUS = { ok: 'ok', pending: 'pending', failed: 'failed' } as const;

/** What Coinbase's history says about each event, built from the events alone. */
function expectedEntries(apiKey: string, events: SimHistoryEvent[]): ActivityEntry[] {
  const none = {
    counterAsset: null,
    counterAmount: null,
    price: null,
    feeAsset: null,
    feeAmount: null,
    network: null,
    txHash: null,
    note: null,
  };
  const id = (event: SimHistoryEvent, leg: string) => coinbaseIdsOf(apiKey, event, leg).transaction;
  return events.flatMap((event): ActivityEntry[] => {
    switch (event.kind) {
      case 'trade': {
        const buy = event.side === 'buy';
        const quote = new D(event.amount).times(event.price);
        return [
          {
            kind: 'trade',
            externalId: coinbaseIdsOf(apiKey, event, 'fill').fill,
            occurredAt: new Date(event.time),
            asset: event.base,
            amount: buy ? plain(event.amount) : neg(event.amount),
            counterAsset: event.quote,
            counterAmount: (buy ? quote.neg() : quote).toFixed(),
            price: plain(event.price),
            feeAsset: event.quote,
            feeAmount: plain(event.fee),
            status: 'ok',
            note: null,
          },
        ];
      }
      case 'deposit': {
        const crypto = !FIAT.has(event.asset);
        return [
          {
            ...none,
            kind: 'deposit',
            externalId: id(event, 'in'),
            occurredAt: seconds(event.time),
            asset: event.asset,
            amount: plain(event.amount),
            status: STATUS[event.status ?? 'ok'],
            network: crypto ? (event.network ?? null) : null,
            txHash: crypto ? (event.txHash ?? null) : null,
          },
        ];
      }
      case 'withdrawal': {
        const crypto = !FIAT.has(event.asset);
        return [
          {
            ...none,
            kind: 'withdrawal',
            externalId: id(event, 'out'),
            occurredAt: seconds(event.time),
            asset: event.asset,
            // A bank withdrawal's transaction does not split off its fee.
            amount: crypto ? neg(event.amount) : new D(event.amount).plus(event.fee).neg().toFixed(),
            status: STATUS[event.status ?? 'ok'],
            ...(crypto
              ? {
                  feeAsset: event.asset,
                  feeAmount: plain(event.fee),
                  network: event.network ?? null,
                  txHash: event.txHash ?? null,
                }
              : {}),
          },
        ];
      }
      case 'reward':
        return [
          {
            ...none,
            kind: 'reward',
            externalId: id(event, 'in'),
            occurredAt: seconds(event.time),
            asset: event.asset,
            amount: plain(event.amount),
            status: 'ok',
          },
        ];
      case 'convert':
        return [
          {
            ...none,
            kind: 'convert',
            externalId: id(event, 'from'),
            occurredAt: seconds(event.time),
            asset: event.from,
            amount: neg(event.fromAmount),
            status: 'ok',
          },
          {
            ...none,
            kind: 'convert',
            externalId: id(event, 'to'),
            occurredAt: seconds(event.time),
            asset: event.to,
            amount: plain(event.toAmount),
            status: 'ok',
          },
        ];
    }
  });
}

const keyOf = (entry: ActivityEntry) => `${entry.kind}:${entry.externalId}`;
const sorted = (entries: Iterable<ActivityEntry>) =>
  [...entries].map((entry) => ({ ...entry })).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

/** What the imported entries add up to per asset: amount + counterAmount − fee over status 'ok'. */
function sums(entries: Iterable<ActivityEntry>): Record<string, string> {
  const total = new Map<string, Decimal>();
  const add = (asset: string | null | undefined, value: string | null | undefined, sign = 1) => {
    if (!asset || !value) return;
    total.set(asset, (total.get(asset) ?? new D(0)).plus(new D(value).times(sign)));
  };
  for (const entry of entries) {
    if (entry.status !== 'ok') continue;
    add(entry.asset, entry.amount);
    add(entry.counterAsset, entry.counterAmount);
    add(entry.feeAsset, entry.feeAmount, -1);
  }
  const out: Record<string, string> = {};
  for (const [asset, sum] of total) if (!sum.isZero()) out[asset] = sum.toFixed();
  return out;
}

// ccxt's client-side throttle off: the simulator does not limit, and the tests count requests instead.
function importHistory(key: ExchangeCredentials, state: HarnessState, options: { maxPages?: number } = {}) {
  return withExchangeClient('coinbase', key, { purpose: 'history', enableRateLimit: false }, (client: Exchange) =>
    runHistoryImport(coinbaseHistory, client, state, options),
  );
}

/** The fewest requests Coinbase's page sizes allow: fills in 1000s, each wallet's transactions in 100s. */
function minimumPages(events: SimHistoryEvent[]): number {
  const perWallet = new Map<string, number>();
  const count = (asset: string) => perWallet.set(asset, (perWallet.get(asset) ?? 0) + 1);
  let fills = 0;
  for (const event of events) {
    if (event.kind === 'trade') {
      fills += 1;
      count(event.base);
      count(event.quote);
    } else if (event.kind === 'convert') {
      count(event.from);
      count(event.to);
    } else count(event.asset);
  }
  let pages = Math.max(1, Math.ceil(fills / FILLS_PAGE));
  for (const transactions of perWallet.values()) pages += Math.max(1, Math.ceil(transactions / TRANSACTIONS_PAGE));
  return pages;
}

describe('coinbase history through the simulator', { timeout: 120_000 }, () => {
  it('imports the seeded history exactly, within 1.2× the minimum requests, and a second run adds nothing', async () => {
    const events = history(11, 400);
    const key = seedAccount(events);
    const state = emptyHarnessState();
    const run = await importHistory(key, state);
    expect(run.finished).toBe(true);

    const expected = expectedEntries(key.apiKey, events);
    expect(expected.length).toBeGreaterThan(300);
    expect(sorted(state.entries.values())).toEqual(sorted(expected));
    expect(sums(state.entries.values())).toEqual(balancesOf(events));
    // Every kind the seed has, and the three statuses.
    expect(new Set(expected.map((entry) => entry.kind))).toEqual(
      new Set(['trade', 'deposit', 'withdrawal', 'reward', 'convert']),
    );

    const log = sim.log({ apiKey: key.apiKey });
    expect(log.every((entry) => entry.verified === true && entry.status === 200)).toBe(true);
    const historyRequests = log.filter((entry) => entry.path !== '/api/v3/brokerage/accounts').length;
    const accountLists = log.length - historyRequests;
    expect(accountLists).toBe(1);
    const minimum = minimumPages(events);
    expect(minimum).toBeGreaterThan(5);
    expect(historyRequests).toBeLessThanOrEqual(Math.floor(1.2 * minimum));
    // Each wallet's stream and the fills.
    expect([...state.streams.keys()].filter((stream) => stream.startsWith('transactions:'))).toHaveLength(4);

    sim.clearLog();
    const again = await importHistory(key, state);
    expect(again.added).toBe(0);
    expect(sorted(state.entries.values())).toEqual(sorted(expected));
    // Nothing new: one request per stream, plus the wallet list.
    expect(sim.log({ apiKey: key.apiKey })).toHaveLength(state.streams.size + 1);
    expect(sim.log({ apiKey: key.apiKey }).length).toBeLessThanOrEqual(2 * state.streams.size);
  });

  it('resumes an import killed between pages (fills past 1000 too) with exactly the same result', async () => {
    const events = history(12, 1500);
    const key = seedAccount(events);
    expect(events.filter((event) => event.kind === 'trade').length).toBeGreaterThan(FILLS_PAGE);
    const full = emptyHarnessState();
    await importHistory(key, full);
    expect(sorted(full.entries.values())).toEqual(sorted(expectedEntries(key.apiKey, events)));

    const state = emptyHarnessState();
    let runs = 0;
    for (;;) {
      runs += 1;
      // The first run stops between the two pages of fills; later runs redo the streams already
      // backfilled (incrementally, a page each) first, so each goes a few pages further.
      const run = await importHistory(key, state, { maxPages: runs === 1 ? 1 : 4 * runs });
      if (runs === 1) expect(state.streams.get('fills')).toMatchObject({ backfilled: false });
      if (run.finished) break;
      expect(runs).toBeLessThan(20);
    }
    expect(runs).toBeGreaterThan(2);
    expect(sorted(state.entries.values())).toEqual(sorted(full.entries.values()));
  });

  it('adds only new activity on an incremental import, and re-reads a deposit that was pending', async () => {
    const events = history(13, 250);
    const key = seedAccount(events);
    const state = emptyHarnessState();
    await importHistory(key, state);
    const before = state.entries.size;

    const now = Date.now();
    const fresh: SimHistoryEvent[] = [
      { kind: 'deposit', id: 'cb13-new-usd', time: now - 3000, asset: 'USD', amount: '500' },
      {
        kind: 'trade',
        id: 'cb13-new-buy',
        time: now - 2000,
        base: 'BTC',
        quote: 'USD',
        side: 'buy',
        amount: '0.001',
        price: '61000.5',
        fee: '0.0610005',
        feeAsset: 'USD',
      },
      { kind: 'reward', id: 'cb13-new-reward', time: now - 1000, asset: 'SOL', amount: '0.0123' },
    ];
    const account = sim.ctx.accounts.get(key.apiKey)!;
    account.history!.push(...fresh);
    // Not yet happened: never served.
    account.history!.push({ kind: 'deposit', id: 'cb13-future', time: now + DAY, asset: 'USD', amount: '1' });
    // The pending SOL deposit has arrived.
    const pending = account.history!.find((event) => event.id === 'cb13-pending')!;
    if (pending.kind === 'deposit') pending.status = 'ok';

    sim.clearLog();
    const run = await importHistory(key, state);
    expect(run.added).toBe(3);
    expect(state.entries.size).toBe(before + 3);
    const past = account.history!.filter((event) => event.time <= Date.now());
    expect(past).toHaveLength(account.history!.length - 1);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(key.apiKey, past)));
    expect(sums(state.entries.values())).toEqual(balancesOf(past));
    expect(sim.log({ apiKey: key.apiKey }).length).toBeLessThanOrEqual(2 * state.streams.size);
  });

  it('catches up across pages when more than a page of fills and transactions is new', async () => {
    // Enough already imported that reading past it would cost pages of its own.
    const events = history(18, 700);
    const key = seedAccount(events);
    const state = emptyHarnessState();
    await importHistory(key, state);

    const account = sim.ctx.accounts.get(key.apiKey)!;
    const start = Date.now() - 2 * 3600_000;
    const fresh: SimHistoryEvent[] = Array.from({ length: 1100 }, (_, i) => ({
      kind: 'trade',
      id: `cb18-burst-${i}`,
      time: start + i * 1000,
      base: 'BTC',
      quote: 'USD',
      side: 'buy',
      amount: '0.0001',
      price: '60000',
      fee: '0.006',
      feeAsset: 'USD',
    }));
    account.history!.push(...fresh);
    sim.clearLog();
    const run = await importHistory(key, state);
    expect(run.added).toBe(1100);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(key.apiKey, account.history!)));
    // Fills: two pages from the newest imported; the BTC and USD wallets: eleven pages of new
    // transactions each and the one that reaches back to imported ones; the others one page each.
    const log = sim.log({ apiKey: key.apiKey });
    expect(log.filter((entry) => entry.path.endsWith('/historical/fills'))).toHaveLength(2);
    expect(log.length).toBeLessThanOrEqual(1 + 2 + 2 * 12 + (state.streams.size - 3));
  });

  it('ends the stream of a wallet Coinbase no longer has, keeping the rest', async () => {
    const events = history(17, 60);
    const key = seedAccount(events);
    const state = emptyHarnessState();
    const gone = `transactions:${randomUUID()}`;
    state.streams.set(gone, { cursor: null, backfilled: false });
    await importHistory(key, state);
    expect(state.streams.get(gone)).toMatchObject({ backfilled: true });
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(key.apiKey, events)));
    expect(sim.log({ apiKey: key.apiKey }).filter((entry) => entry.status === 404)).toHaveLength(1);
  });

  it('leaves exactly the injected amount unexplained when the wallets hold more than the history', async () => {
    const events = history(14, 120);
    const key = seedAccount(events, { BTC: '0.5', USD: '12.34' });
    const state = emptyHarnessState();
    await importHistory(key, state);
    const explained = sums(state.entries.values());
    const wallets = sim.ctx.accounts.get(key.apiKey)!.wallets.spot!;
    const unexplained: Record<string, string> = {};
    for (const [asset, balance] of Object.entries(wallets)) {
      const difference = new D(balance.free).plus(balance.used).minus(explained[asset] ?? '0');
      if (!difference.isZero()) unexplained[asset] = difference.toFixed();
    }
    expect(unexplained).toEqual({ BTC: '0.5', USD: '12.34' });
  });

  it.each([
    ['truncated', '/historical/fills', 'malformed'],
    ['html', '/transactions', 'malformed'],
    ['server_error', '/transactions', 'transient'],
    ['auth', '/historical/fills', 'auth'],
  ] as const)('fails on a %s answer to %s as %s, and resumes exactly', async (kind, path, expected) => {
    const events = history(16, 150);
    const key = seedAccount(events);
    const state = emptyHarnessState();
    sim.addFault(key.apiKey, { kind, pathIncludes: path });
    const error = await importHistory(key, state).then(
      () => {
        throw new Error('the import succeeded');
      },
      (caught: unknown) => caught,
    );
    expect(classifyExchangeError(error).kind).toBe(expected);
    await importHistory(key, state);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(key.apiKey, events)));
  });

  it('throws a rate limit with its Retry-After on a history page, and resumes afterwards', async () => {
    const events = history(15, 200);
    const key = seedAccount(events);
    const state = emptyHarnessState();
    sim.addFault(key.apiKey, { kind: 'rate_limit', pathIncludes: '/transactions', retryAfterSeconds: 7 });
    const error = await importHistory(key, state).then(
      () => {
        throw new Error('the import succeeded');
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RateLimitExceeded);
    const info = classifyExchangeError(error);
    expect(info.kind).toBe('rate_limit');
    expect(info.retryAfterMs).toBe(7000);
    expect(
      sim.log({ apiKey: key.apiKey }).some((entry) => entry.status === 429 && entry.path.endsWith('/transactions')),
    ).toBe(true);

    await importHistory(key, state);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedEntries(key.apiKey, events)));
  });
});
