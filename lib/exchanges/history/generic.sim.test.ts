import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import type { Exchange } from 'ccxt';
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
import { genericHistory } from './generic';
import type { ActivityEntry } from './types';

/**
 * The best-effort strategy on exchanges the simulator serves. Kraken's ccxt class has fetchLedger:
 * the whole ledger is walked back page by page with `until`. Coinbase's ccxt class declares
 * fetchLedger, fetchMyTrades, fetchDeposits and fetchWithdrawals, but its ledger, deposits and
 * withdrawals need a currency or wallet id, so the generic import falls back to the trades ccxt
 * reads without a market (the Advanced Trade fills, newest first, 100 a page by default).
 */

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const DAY = 24 * 3600_000;
const FILLS_DEFAULT_PAGE = 100;

let sim: ExchangeSimulator;
const strategy = genericHistory('coinbase');

withTestDatabase();
withSimulator((s) => {
  sim = s;
  sim.ctx.tickers.coinbase = { 'BTC/USD': '60000', 'ETH/USD': '3000', 'SOL/USD': '150' };
  sim.ctx.coinbasePageSize = 250;
});

beforeEach(() => sim.clearLog());

function seedAccount(events: SimHistoryEvent[]): ExchangeCredentials {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = { apiKey: `organizations/${randomUUID()}/apiKeys/${randomUUID()}`, secret: privateKey };
  sim.addAccount({
    exchange: 'coinbase',
    apiKey: key.apiKey,
    secret: privateKey,
    wallets: { spot: {} },
    history: events,
  });
  return key;
}

const trades = (events: SimHistoryEvent[]) =>
  events.filter((event): event is Extract<SimHistoryEvent, { kind: 'trade' }> => event.kind === 'trade');

function expectedTrades(apiKey: string, events: SimHistoryEvent[]): ActivityEntry[] {
  return trades(events).map((event) => {
    const buy = event.side === 'buy';
    const quote = new D(event.amount).times(event.price);
    return {
      kind: 'trade',
      externalId: `${event.base}/${event.quote}:${coinbaseIdsOf(apiKey, event, 'fill').trade}`,
      occurredAt: new Date(event.time),
      asset: event.base,
      amount: new D(event.amount).times(buy ? 1 : -1).toFixed(),
      counterAsset: event.quote,
      counterAmount: quote.times(buy ? -1 : 1).toFixed(),
      price: new D(event.price).toFixed(),
      feeAsset: event.quote,
      feeAmount: new D(event.fee).toFixed(),
      status: 'ok',
      note: null,
    };
  });
}

const keyOf = (entry: ActivityEntry) => `${entry.kind}:${entry.externalId}`;
const sorted = (entries: Iterable<ActivityEntry>) =>
  [...entries].map((entry) => ({ ...entry })).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

function sums(entries: Iterable<ActivityEntry>): Record<string, string> {
  const total = new Map<string, Decimal>();
  const add = (asset: string | null | undefined, value: string | null | undefined, sign = 1) => {
    if (asset && value) total.set(asset, (total.get(asset) ?? new D(0)).plus(new D(value).times(sign)));
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
    runHistoryImport(strategy, client, state, options),
  );
}

describe('the best-effort history on a simulated exchange', { timeout: 120_000 }, () => {
  it('says it is not verified', () => {
    expect(strategy).toMatchObject({ verified: false, completeHistory: false });
    expect(strategy.limits[0]).toBe(
      'History from Coinbase Advanced is imported on a best-effort basis (not verified).',
    );
  });

  it('falls back from a ledger that needs a wallet to the trades, exactly, and walks them back page by page', async () => {
    const now = Date.now();
    const { events } = seedHistory({
      seed: 21,
      count: 320,
      from: now - 300 * DAY,
      to: now - DAY,
      quote: 'USD',
      bases: ['BTC', 'ETH', 'SOL'],
      idPrefix: 'g21',
    });
    const key = seedAccount(events);
    const state = emptyHarnessState();
    const run = await importHistory(key, state);
    expect(run.finished).toBe(true);
    expect([...state.streams.keys()]).toEqual(['ledger', 'trades', 'deposits', 'withdrawals']);

    const expected = expectedTrades(key.apiKey, events);
    expect(expected.length).toBeGreaterThan(200);
    expect(sorted(state.entries.values())).toEqual(sorted(expected));
    expect(sums(state.entries.values())).toEqual(balancesOf(trades(events)));

    // Only fills were requested (the other methods refused before sending): a page per 100, and one
    // more that finds nothing older.
    const log = sim.log({ apiKey: key.apiKey });
    expect(new Set(log.map((entry) => entry.path))).toEqual(new Set(['/api/v3/brokerage/orders/historical/fills']));
    expect(log.length).toBeLessThanOrEqual(Math.ceil(expected.length / FILLS_DEFAULT_PAGE) + 1);

    // Nothing new: one request for the one stream that reads anything.
    sim.clearLog();
    const again = await importHistory(key, state);
    expect(again.added).toBe(0);
    expect(sim.log({ apiKey: key.apiKey })).toHaveLength(1);

    // New trades: only they are added.
    const account = sim.ctx.accounts.get(key.apiKey)!;
    const fresh: SimHistoryEvent[] = [
      {
        kind: 'trade',
        id: 'g21-new-1',
        time: Date.now() - 2000,
        base: 'ETH',
        quote: 'USD',
        side: 'buy',
        amount: '0.5',
        price: '3001.25',
        fee: '1.500625',
        feeAsset: 'USD',
      },
      {
        kind: 'trade',
        id: 'g21-new-2',
        time: Date.now() - 1000,
        base: 'BTC',
        quote: 'USD',
        side: 'sell',
        amount: '0.0001',
        price: '61000',
        fee: '0.0061',
        feeAsset: 'USD',
      },
    ];
    account.history!.push(...fresh);
    const incremental = await importHistory(key, state);
    expect(incremental.added).toBe(2);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedTrades(key.apiKey, account.history!)));
  });

  it('resumes an import killed between pages with the same result', async () => {
    const now = Date.now();
    const { events } = seedHistory({
      seed: 22,
      count: 260,
      from: now - 200 * DAY,
      to: now - DAY,
      quote: 'USD',
      bases: ['BTC', 'ETH'],
      idPrefix: 'g22',
    });
    const key = seedAccount(events);
    const state = emptyHarnessState();
    let runs = 0;
    for (;;) {
      runs += 1;
      const run = await importHistory(key, state, { maxPages: runs + 1 });
      if (run.finished) break;
      expect(runs).toBeLessThan(20);
    }
    expect(runs).toBeGreaterThan(1);
    expect(sorted(state.entries.values())).toEqual(sorted(expectedTrades(key.apiKey, events)));
  });
});

const KRAKEN_IDS: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', USD: 'ZUSD', SOL: 'SOL' };
const KRAKEN_LEDGER_PAGE = 50;
const krakenStrategy = genericHistory('kraken');

function seedKraken(events: SimHistoryEvent[]) {
  const apiKey = `kraken-generic-${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  const spot = Object.fromEntries(
    Object.entries(balancesOf(events)).map(([asset, amount]) => [
      KRAKEN_IDS[asset] ?? asset,
      { free: amount, used: '0' },
    ]),
  );
  sim.addAccount({ exchange: 'kraken', apiKey, secret, wallets: { spot }, history: [...events] });
  return { apiKey, secret };
}

function importKraken(key: ExchangeCredentials, state: HarnessState, options: { maxPages?: number } = {}) {
  return withExchangeClient('kraken', key, { purpose: 'history', enableRateLimit: false }, (client: Exchange) =>
    runHistoryImport(krakenStrategy, client, state, options),
  );
}

/** The kinds the generic import gives Kraken's ledger entries, per event: ccxt leaves earn, spend and receive as they are. */
function expectedKinds(events: SimHistoryEvent[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  const add = (kind: string, n = 1) => (kinds[kind] = (kinds[kind] ?? 0) + n);
  for (const event of events) {
    if (event.kind === 'trade') add('trade', 2);
    else if (event.kind === 'convert') add('other', 2);
    else if (event.kind === 'reward') add('other');
    else if ((event.status ?? 'ok') === 'ok') add(event.kind);
  }
  return kinds;
}

function kindsOf(entries: Iterable<ActivityEntry>): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const entry of entries) kinds[entry.kind] = (kinds[entry.kind] ?? 0) + 1;
  return kinds;
}

describe('the best-effort history on Kraken’s ledger', { timeout: 120_000 }, () => {
  it('imports every ledger entry exactly, adding up to the balances, walking back with until', async () => {
    const now = Date.now();
    const { events } = seedHistory({
      seed: 23,
      count: 300,
      from: now - 300 * DAY,
      to: now - DAY,
      quote: 'USD',
      bases: ['BTC', 'ETH', 'SOL'],
      kinds: ['withdrawal', 'reward', 'convert'],
      idPrefix: 'g23',
    });
    const key = seedKraken(events);
    const state = emptyHarnessState();
    await importKraken(key, state);
    expect([...state.streams.keys()]).toEqual(['ledger']);

    const kinds = expectedKinds(events);
    const legs = Object.values(kinds).reduce((sum, n) => sum + n, 0);
    expect(state.entries.size).toBe(legs);
    expect(kindsOf(state.entries.values())).toEqual(kinds);
    expect(sums(state.entries.values())).toEqual(balancesOf(events));
    const earn = [...state.entries.values()].find((entry) => entry.kind === 'other');
    expect(earn?.note).toMatch(/Kraken’s ledger/);

    // A page per 50 entries; each page starts again at the second of the last one's oldest entry, and
    // one more page finds nothing older.
    const ledgerRequests = sim.log({ apiKey: key.apiKey }).filter((entry) => entry.path === '/0/private/Ledgers');
    expect(ledgerRequests).toHaveLength(sim.log({ apiKey: key.apiKey }).length);
    const minimum = Math.ceil(legs / KRAKEN_LEDGER_PAGE);
    expect(ledgerRequests.length).toBeLessThanOrEqual(Math.ceil(1.2 * minimum) + 1);

    sim.clearLog();
    expect((await importKraken(key, state)).added).toBe(0);
    expect(sim.log({ apiKey: key.apiKey })).toHaveLength(1);

    const account = sim.ctx.accounts.get(key.apiKey)!;
    account.history!.push(
      { kind: 'deposit', id: 'g23-new-dep', time: Date.now() - 3000, asset: 'USD', amount: '250' },
      {
        kind: 'trade',
        id: 'g23-new-buy',
        time: Date.now() - 1000,
        base: 'SOL',
        quote: 'USD',
        side: 'buy',
        amount: '1.5',
        price: '151.2',
        fee: '0.2268',
        feeAsset: 'USD',
      },
    );
    expect((await importKraken(key, state)).added).toBe(3);
    expect(sums(state.entries.values())).toEqual(balancesOf(account.history!));
  });

  it('resumes a ledger import killed between pages with the same result', async () => {
    const now = Date.now();
    const { events } = seedHistory({
      seed: 24,
      count: 180,
      from: now - 200 * DAY,
      to: now - DAY,
      quote: 'USD',
      bases: ['BTC', 'ETH'],
      idPrefix: 'g24',
    });
    const key = seedKraken(events);
    const full = emptyHarnessState();
    await importKraken(key, full);
    const state = emptyHarnessState();
    for (let runs = 1; ; runs++) {
      if ((await importKraken(key, state, { maxPages: 1 })).finished) break;
      expect(runs).toBeLessThan(30);
    }
    expect(sorted(state.entries.values())).toEqual(sorted(full.entries.values()));
    expect(sums(state.entries.values())).toEqual(balancesOf(events));
  });
});
