import Decimal from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DDoSProtection, type Exchange } from 'ccxt';
import { clearSharedMarkets, withExchangeClient } from '@/lib/exchanges/client';
import { classifyExchangeError } from '@/lib/exchanges/errors';
import { withTestDatabase } from '@/lib/testing/database';
import { forgetBinanceWeight, setBinanceWeightLimit } from '@/lib/testing/exchange-simulator/exchanges/binance-weight';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimAccount, SimHistoryEvent } from '@/lib/testing/exchange-simulator/types';
import { emptyHarnessState, runHistoryImport, type HarnessState } from '@/lib/testing/history-harness';
import { balancesOf, seedHistory } from '@/lib/testing/history-seed';
import { withSimulator } from '@/lib/testing/simulator';
import { binanceHistory } from './binance';
import type { ActivityEntry } from './types';

// Unmodified ccxt against the simulated Binance, driven as the engine drives a strategy.

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const SECRET = 'sim-binance-history-secret-5wQk2Rr3VdM8uJ0pXcT7bLzY1nHs4GfE9aKo6iWe';
const DAY = 86_400_000;
/** Binance opened in July 2017: the horizon every windowed stream must reach. */
const LAUNCH = Date.UTC(2017, 6, 14);
const FIXED_STREAMS = ['deposits', 'withdrawals', 'converts', 'dust'];
const HISTORY_PATHS = [
  '/api/v3/myTrades',
  '/sapi/v1/capital/deposit/hisrec',
  '/sapi/v1/capital/withdraw/history',
  '/sapi/v1/convert/tradeFlow',
  '/sapi/v1/asset/dribblet',
];

let sim: ExchangeSimulator;
let keys = 0;
let previousBudget: string | undefined;

withTestDatabase();
withSimulator((s) => {
  sim = s;
});

beforeAll(() => {
  // A backfill back to 2017 is ~200 requests; the tests run several in a few seconds.
  previousBudget = process.env.EXCHANGE_BUDGET_BINANCE;
  process.env.EXCHANGE_BUDGET_BINANCE = '1000000/60';
});
afterAll(() => {
  if (previousBudget === undefined) delete process.env.EXCHANGE_BUDGET_BINANCE;
  else process.env.EXCHANGE_BUDGET_BINANCE = previousBudget;
});
beforeEach(() => {
  // Each test's accounts add markets (their histories' pairs) to what the simulated exchange lists.
  clearSharedMarkets();
  forgetBinanceWeight(sim.ctx);
  setBinanceWeightLimit(sim.ctx, 6000);
});

// ---------------------------------------------------------------------------------------------
// Seeded accounts

function byTime(events: SimHistoryEvent[]): SimHistoryEvent[] {
  return [...events].sort((a, b) => a.time - b.time);
}

/**
 * A seeded history over two years, a few events from Binance's first weeks, and the markets
 * discovery must find: DOT/USDT, whose base is
 * only ever seen in a deposit (all sold again), SOL/BTC, whose base is only seen in a convert (all
 * sold again), and ETH/BTC, found from the ETH balance.
 */
function discoveryHistory(prefix: string, now: number): SimHistoryEvent[] {
  const seeded = seedHistory({
    seed: 15,
    count: 300,
    from: now - 2 * 365 * DAY,
    to: now - 3 * DAY,
    quote: 'USDT',
    bases: ['BTC', 'ETH'],
    kinds: ['withdrawal', 'convert'],
    idPrefix: prefix,
  });
  const late = now - 2 * DAY;
  const extras: SimHistoryEvent[] = [
    // Weeks after Binance opened: only a walk all the way back finds these.
    { kind: 'deposit', id: `${prefix}-2017-in`, time: Date.UTC(2017, 6, 20, 9), asset: 'USDT', amount: '10' },
    { kind: 'withdrawal', id: `${prefix}-2017-out`, time: Date.UTC(2017, 7, 2, 9), asset: 'USDT', amount: '5', fee: '1' },
    {
      kind: 'convert',
      id: `${prefix}-2017-conv`,
      time: Date.UTC(2017, 7, 10, 9),
      from: 'USDT',
      fromAmount: '2',
      to: 'BTC',
      toAmount: '0.0005',
    },
    { kind: 'deposit', id: `${prefix}-dot-in`, time: late, asset: 'DOT', amount: '50', network: 'DOT', txHash: '0xdot' },
    {
      kind: 'trade',
      id: `${prefix}-dot-out`,
      time: late + 60_000,
      base: 'DOT',
      quote: 'USDT',
      side: 'sell',
      amount: '50',
      price: '7.1',
      fee: '0.355',
      feeAsset: 'USDT',
    },
    {
      kind: 'convert',
      id: `${prefix}-sol-in`,
      time: late + 120_000,
      from: 'USDT',
      fromAmount: '30',
      to: 'SOL',
      toAmount: '0.2',
    },
    {
      kind: 'trade',
      id: `${prefix}-sol-out`,
      time: late + 180_000,
      base: 'SOL',
      quote: 'BTC',
      side: 'sell',
      amount: '0.2',
      price: '0.0025',
      fee: '0.0000005',
      feeAsset: 'BTC',
    },
    {
      kind: 'trade',
      id: `${prefix}-eth-btc`,
      time: late + 240_000,
      base: 'ETH',
      quote: 'BTC',
      side: 'buy',
      amount: '0.01',
      price: '0.05',
      fee: '0.0000005',
      feeAsset: 'BTC',
    },
  ];
  return byTime([...seeded.events, ...extras]);
}

function walletsFor(balances: Record<string, string>): SimAccount['wallets'] {
  const spot: SimAccount['wallets'][string] = {};
  for (const [asset, amount] of Object.entries(balances)) spot[asset] = { free: amount, used: '0' };
  return { spot };
}

function seedAccount(history: SimHistoryEvent[], extra: Record<string, string> = {}) {
  const apiKey = `binance-history-${++keys}-Xc81mK2pQ7wLs9Vb4Tn6Jd0Rf3Hy5Ga`;
  const balances = balancesOf(history);
  const held = { ...balances };
  for (const [asset, amount] of Object.entries(extra)) held[asset] = new D(held[asset] ?? 0).plus(amount).toFixed();
  sim.addAccount({ exchange: 'binance', apiKey, secret: SECRET, wallets: walletsFor(held), history: [...history] });
  return { apiKey, balances, held };
}

function importHistory(
  apiKey: string,
  state: HarnessState,
  options: { maxPages?: number; assets: string[]; now?: Date },
  onClient?: (client: Exchange) => Promise<void>,
) {
  // ccxt's own throttle off: a backfill to 2017 walks ~115 convert windows, one second apart with it on.
  return withExchangeClient(
    'binance',
    { apiKey, secret: SECRET },
    { purpose: 'history', enableRateLimit: false },
    async (client) => {
      await onClient?.(client);
      return runHistoryImport(binanceHistory, client, state, options);
    },
  );
}

function historyRequests(apiKey: string) {
  return sim.log({ apiKey }).filter((entry) => HISTORY_PATHS.includes(entry.path));
}

// ---------------------------------------------------------------------------------------------
// The expected entries, from the simulated events (independently of the strategy)

type Canonical = Required<{ [K in keyof ActivityEntry]: Exclude<ActivityEntry[K], undefined> | null }>;

const plain = (value: Decimal.Value) => new D(value).toFixed();

function canonical(entry: ActivityEntry): Canonical {
  return {
    kind: entry.kind,
    externalId: entry.externalId,
    occurredAt: entry.occurredAt,
    asset: entry.asset,
    amount: entry.amount,
    counterAsset: entry.counterAsset ?? null,
    counterAmount: entry.counterAmount ?? null,
    price: entry.price ?? null,
    feeAsset: entry.feeAsset ?? null,
    feeAmount: entry.feeAmount ?? null,
    status: entry.status,
    network: entry.network ?? null,
    txHash: entry.txHash ?? null,
    note: entry.note ?? null,
  };
}

function expectedEntries(events: SimHistoryEvent[]): Canonical[] {
  const tradeIds = new Map<string, number>();
  return events.map((event): Canonical => {
    const base = { note: null, network: null, txHash: null, price: null, counterAsset: null, counterAmount: null };
    switch (event.kind) {
      case 'trade': {
        const symbol = event.base + event.quote;
        const id = (tradeIds.get(symbol) ?? 0) + 1;
        tradeIds.set(symbol, id);
        const buy = event.side === 'buy';
        const cost = new D(event.amount).times(event.price);
        return {
          ...base,
          kind: 'trade',
          externalId: `${symbol}:${id}`,
          occurredAt: new Date(event.time),
          asset: event.base,
          amount: plain(buy ? event.amount : new D(event.amount).neg()),
          counterAsset: event.quote,
          counterAmount: plain(buy ? cost.neg() : cost),
          price: plain(event.price),
          feeAsset: event.feeAsset,
          feeAmount: plain(event.fee),
          status: 'ok',
        };
      }
      case 'deposit':
        return {
          ...base,
          kind: 'deposit',
          externalId: event.id,
          occurredAt: new Date(event.time),
          asset: event.asset,
          amount: plain(event.amount),
          feeAsset: null,
          feeAmount: null,
          status: event.status ?? 'ok',
          network: event.network ?? event.asset,
          txHash: event.txHash ?? null,
        };
      case 'withdrawal':
        return {
          ...base,
          kind: 'withdrawal',
          externalId: event.id,
          // Binance writes a withdrawal's time to the second.
          occurredAt: new Date(Math.floor(event.time / 1000) * 1000),
          asset: event.asset,
          amount: plain(new D(event.amount).neg()),
          feeAsset: event.asset,
          feeAmount: plain(event.fee),
          status: event.status ?? 'ok',
          network: event.network ?? event.asset,
          txHash: event.txHash ?? null,
        };
      case 'convert':
        return {
          ...base,
          kind: 'convert',
          externalId: event.id,
          occurredAt: new Date(event.time),
          asset: event.to,
          amount: plain(event.toAmount),
          counterAsset: event.from,
          counterAmount: plain(new D(event.fromAmount).neg()),
          feeAsset: null,
          feeAmount: null,
          status: 'ok',
        };
      case 'reward':
        throw new Error('Binance rewards are not imported: seed none');
    }
  });
}

const order = (a: Canonical, b: Canonical) => `${a.kind}:${a.externalId}`.localeCompare(`${b.kind}:${b.externalId}`);

function imported(state: HarnessState): Canonical[] {
  return [...state.entries.values()].map(canonical).sort(order);
}

function expected(events: SimHistoryEvent[]): Canonical[] {
  return expectedEntries(events).sort(order);
}

/** Per asset: amount + counterAmount − fee over entries with status ok, exactly. */
function explainedBalances(state: HarnessState): Record<string, string> {
  const sums = new Map<string, Decimal>();
  const add = (asset: string | null | undefined, amount: Decimal.Value) => {
    if (!asset) return;
    sums.set(asset, (sums.get(asset) ?? new D(0)).plus(amount));
  };
  for (const entry of state.entries.values()) {
    if (entry.status !== 'ok') continue;
    add(entry.asset, entry.amount);
    add(entry.counterAsset, entry.counterAmount ?? 0);
    add(entry.feeAsset, new D(entry.feeAmount ?? 0).neg());
  }
  const out: Record<string, string> = {};
  for (const [asset, sum] of sums) if (!sum.isZero()) out[asset] = sum.toFixed();
  return out;
}

function marketsTraded(events: SimHistoryEvent[]): string[] {
  return [...new Set(events.flatMap((e) => (e.kind === 'trade' ? [`trades:${e.base}/${e.quote}`] : [])))].sort();
}

/** Windows back to July 2017 of each windowed stream, a page per market, one dust read. */
function minimumBackfillPages(now: number, markets: number): number {
  const windows = (days: number) => Math.ceil((now - LAUNCH) / (days * DAY));
  return 2 * windows(90) + windows(30) + 1 + markets;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the import to fail');
    },
    (error: unknown) => error,
  );
}

// ---------------------------------------------------------------------------------------------

// Each backfill walks to 2017: ~200 requests, a few seconds on a shared machine.
describe('binance history through the simulator', { timeout: 60_000 }, () => {
  it('backfills the seeded history exactly, finds every market it used, and a second run adds nothing', async () => {
    const now = Date.now();
    const history = discoveryHistory('full', now);
    const account = seedAccount(history);
    const assets = Object.keys(account.balances);
    expect(assets).not.toContain('DOT');
    expect(assets).not.toContain('SOL');

    const state = emptyHarnessState();
    const first = await importHistory(account.apiKey, state, { assets });

    expect(first.finished).toBe(true);
    expect(imported(state)).toEqual(expected(history));
    expect(first.added).toBe(history.length);

    // Market discovery: every market the history traded on is read, including those only a
    // deposit (DOT) or a convert (SOL) revealed, which the balances alone do not list.
    const streams = [...state.streams.keys()];
    expect(streams).toEqual(expect.arrayContaining([...FIXED_STREAMS, ...marketsTraded(history)]));
    const fromBalances = await withExchangeClient(
      'binance',
      { apiKey: account.apiKey, secret: SECRET },
      { purpose: 'history' },
      (client) => binanceHistory.streams(client, { assets, now: new Date() }),
    );
    expect(fromBalances).toEqual(expect.arrayContaining(['trades:BTC/USDT', 'trades:ETH/USDT', 'trades:ETH/BTC']));
    expect(fromBalances).not.toContain('trades:DOT/USDT');
    expect(fromBalances).not.toContain('trades:SOL/BTC');

    // Requests: the windows back to 2017 and a page per market are the minimum Binance allows.
    const markets = streams.filter((stream) => stream.startsWith('trades:')).length;
    const backfillRequests = historyRequests(account.apiKey);
    expect(backfillRequests.every((entry) => entry.status === 200)).toBe(true);
    expect(backfillRequests.length).toBeLessThanOrEqual(1.2 * minimumBackfillPages(now, markets));

    sim.clearLog();
    const second = await importHistory(account.apiKey, state, { assets });
    expect(second.added).toBe(0);
    expect(imported(state)).toEqual(expected(history));
    // Incremental with nothing new: at most 2 requests per stream (here, one).
    expect(historyRequests(account.apiKey).length).toBeLessThanOrEqual(2 * state.streams.size);
    expect(historyRequests(account.apiKey).length).toBe(state.streams.size);
  });

  it('the imported entries add up to the balances, and an unexplained balance shows as exactly the injected amount', async () => {
    const now = Date.now();
    const history = discoveryHistory('sum', now);
    const consistent = seedAccount(history);
    const state = emptyHarnessState();
    await importHistory(consistent.apiKey, state, { assets: Object.keys(consistent.balances) });
    expect(explainedBalances(state)).toEqual(consistent.balances);

    const injected = seedAccount(discoveryHistory('extra', now), { BTC: '0.12345678', SOL: '3' });
    const other = emptyHarnessState();
    await importHistory(injected.apiKey, other, { assets: Object.keys(injected.held) });
    const explained = explainedBalances(other);
    const difference: Record<string, string> = {};
    for (const [asset, held] of Object.entries(injected.held)) {
      const gap = new D(held).minus(explained[asset] ?? 0);
      if (!gap.isZero()) difference[asset] = gap.toFixed();
    }
    expect(difference).toEqual({ BTC: '0.12345678', SOL: '3' });
  });

  it('an import killed between pages resumes to exactly the same result', async () => {
    const now = Date.now();
    const history = discoveryHistory('killed', now);
    const account = seedAccount(history);
    const assets = Object.keys(account.balances);
    const state = emptyHarnessState();
    let runs = 0;
    for (;;) {
      runs += 1;
      // A resumed run reads the streams already done again (incrementally) before going on, so a run
      // needs more pages than there are streams (9 here) to get further: 16 stops it inside the
      // windowed walks and between market streams.
      const run = await importHistory(account.apiKey, state, { assets, maxPages: 16 });
      if (run.finished) break;
      expect(runs).toBeLessThan(200);
    }
    expect(runs).toBeGreaterThan(5);
    expect(imported(state)).toEqual(expected(history));
    expect([...state.streams.keys()]).toEqual(expect.arrayContaining(marketsTraded(history)));
  });

  it('an incremental import after new activity adds only that, on a market it discovers too', async () => {
    const now = Date.now();
    const history = discoveryHistory('incr', now);
    const account = seedAccount(history);
    const assets = Object.keys(account.balances);
    const state = emptyHarnessState();
    await importHistory(account.apiKey, state, { assets });

    const at = Date.now() - 2_000;
    const fresh: SimHistoryEvent[] = [
      { kind: 'deposit', id: 'incr-new-ada', time: at, asset: 'ADA', amount: '100', network: 'ADA', txHash: '0xada' },
      { kind: 'deposit', id: 'incr-new-usdt', time: at, asset: 'USDT', amount: '500', network: 'TRX', txHash: '0xtrx' },
      {
        kind: 'trade',
        id: 'incr-new-ada-sell',
        time: at + 10,
        base: 'ADA',
        quote: 'USDT',
        side: 'sell',
        amount: '100',
        price: '0.51',
        fee: '0.051',
        feeAsset: 'USDT',
      },
      {
        kind: 'trade',
        id: 'incr-new-btc',
        time: at + 20,
        base: 'BTC',
        quote: 'USDT',
        side: 'buy',
        amount: '0.001',
        price: '61000.5',
        fee: '0.0610005',
        feeAsset: 'USDT',
      },
      { kind: 'withdrawal', id: 'incr-new-out', time: at + 30, asset: 'USDT', amount: '50', fee: '1', network: 'TRX' },
      { kind: 'convert', id: 'incr-new-conv', time: at + 40, from: 'USDT', fromAmount: '20', to: 'ETH', toAmount: '0.006' },
    ];
    sim.ctx.accounts.get(account.apiKey)!.history!.push(...fresh);
    // ADA/USDT is a market the exchange lists from now on: the markets are loaded again.
    clearSharedMarkets();

    const run = await importHistory(account.apiKey, state, { assets });
    expect(run.added).toBe(fresh.length);
    expect(state.streams.has('trades:ADA/USDT')).toBe(true);
    expect(imported(state)).toEqual(expected([...history, ...fresh]));
  });

  it('an incremental import after months away walks every window since, and reads a pending deposit again until it settles', async () => {
    const now = Date.now();
    const history = discoveryHistory('away', now);
    const pending: SimHistoryEvent = {
      kind: 'deposit',
      id: 'away-pending',
      time: now - 2 * DAY,
      asset: 'USDT',
      amount: '75',
      network: 'TRX',
      txHash: '0xpending',
      status: 'pending',
    };
    const account = seedAccount(byTime([...history, pending]));
    const assets = Object.keys(account.balances);
    const state = emptyHarnessState();
    // The backfill ran 200 days ago: it saw everything up to then, and the trades (read by id) of
    // every market known then — DOT's and SOL's came to light later.
    const then = now - 200 * DAY;
    await importHistory(account.apiKey, state, { assets, now: new Date(then) });
    const seenThen = history.filter((event) =>
      event.kind === 'trade' ? !['DOT', 'SOL'].includes(event.base) : event.time <= then,
    );
    expect(imported(state)).toEqual(expected(seenThen));

    sim.clearLog();
    await importHistory(account.apiKey, state, { assets });
    expect(imported(state)).toEqual(expected([...history, pending]));
    expect(state.entries.get('deposit:away-pending')?.status).toBe('pending');
    const count = (path: string) => historyRequests(account.apiKey).filter((e) => e.path === path).length;
    // 200 days plus the hour of overlap: three 90-day windows, seven 30-day ones.
    expect(count('/sapi/v1/capital/deposit/hisrec')).toBe(3);
    expect(count('/sapi/v1/capital/withdraw/history')).toBe(3);
    expect(count('/sapi/v1/convert/tradeFlow')).toBe(7);

    // Binance credits the deposit: its status changes, its id and time do not.
    const event = sim.ctx.accounts.get(account.apiKey)!.history!.find((e) => e.id === 'away-pending')!;
    (event as Extract<SimHistoryEvent, { kind: 'deposit' }>).status = 'ok';
    sim.clearLog();
    const settled = await importHistory(account.apiKey, state, { assets });
    expect(settled.added).toBe(0);
    expect(state.entries.get('deposit:away-pending')?.status).toBe('ok');
    expect(count('/sapi/v1/capital/deposit/hisrec')).toBe(1);
    expect(explainedBalances(state)).toEqual(balancesOf([...history, { ...pending, status: 'ok' }]));
  });

  it('a 429 on a history page throws ccxt’s rate-limit error with the Retry-After, and the import resumes', async () => {
    const now = Date.now();
    const history = discoveryHistory('limited', now);
    const account = seedAccount(history);
    const assets = Object.keys(account.balances);
    const state = emptyHarnessState();
    sim.addFault(account.apiKey, {
      kind: 'rate_limit',
      pathIncludes: '/sapi/v1/capital/withdraw/history',
      retryAfterSeconds: 42,
    });

    const error = await failureOf(importHistory(account.apiKey, state, { assets }));
    // ccxt's binance raises DDoSProtection (RateLimitExceeded's parent) for an HTTP 429.
    expect(error).toBeInstanceOf(DDoSProtection);
    expect(classifyExchangeError(error)).toMatchObject({ kind: 'rate_limit', retryAfterMs: 42_000 });
    expect(historyRequests(account.apiKey).at(-1)).toMatchObject({
      path: '/sapi/v1/capital/withdraw/history',
      status: 429,
    });

    const resumed = await importHistory(account.apiKey, state, { assets });
    expect(resumed.finished).toBe(true);
    expect(imported(state)).toEqual(expected(history));
  });

  it('Binance’s request weight: past the limit a 429 with Retry-After, sending again a 418 ban; then the import resumes', async () => {
    const now = Date.now();
    const history = discoveryHistory('weight', now);
    const account = seedAccount(history);
    const assets = Object.keys(account.balances);
    const state = emptyHarnessState();
    // myTrades weighs 20: the fourth market read is over a limit of 60.
    setBinanceWeightLimit(sim.ctx, 60);

    const limited = await failureOf(importHistory(account.apiKey, state, { assets }));
    expect(classifyExchangeError(limited)).toMatchObject({ kind: 'rate_limit' });
    const refusal = sim.log({ apiKey: account.apiKey }).at(-1)!;
    expect(refusal).toMatchObject({ path: '/api/v3/myTrades', status: 429 });
    expect(classifyExchangeError(limited).retryAfterMs).toBeGreaterThan(0);
    expect(classifyExchangeError(limited).retryAfterMs).toBeLessThanOrEqual(60_000);
    const served = sim.log({ apiKey: account.apiKey }).filter((e) => e.path === '/api/v3/myTrades');
    expect(served.map((e) => e.status)).toEqual([200, 200, 200, 429]);

    // Ignoring the Retry-After: banned.
    const banned = await failureOf(importHistory(account.apiKey, state, { assets }));
    expect(sim.log({ apiKey: account.apiKey }).at(-1)).toMatchObject({ path: '/api/v3/myTrades', status: 418 });
    const ban = classifyExchangeError(banned);
    expect(ban.kind).toBe('rate_limit');
    expect(ban.retryAfterMs).toBeGreaterThan(60_000);

    // Minutes later, the ban over:
    forgetBinanceWeight(sim.ctx);
    setBinanceWeightLimit(sim.ctx, 6000);
    const resumed = await importHistory(account.apiKey, state, { assets });
    expect(resumed.finished).toBe(true);
    expect(imported(state)).toEqual(expected(history));
  });

  it('reports the weight used in X-MBX-USED-WEIGHT-1M', async () => {
    const first = await fetch(`${sim.url}/api.binance.com/api/v3/exchangeInfo`);
    const second = await fetch(`${sim.url}/api.binance.com/api/v3/exchangeInfo`);
    const third = await fetch(`${sim.url}/api.binance.com/api/v3/ticker/price?symbol=BTCUSDT`);
    expect(first.headers.get('x-mbx-used-weight-1m')).toBe('20');
    expect(second.headers.get('x-mbx-used-weight-1m')).toBe('40');
    expect(third.status).toBe(400); // no ticker set: "Invalid symbol", still weighed
    expect(third.headers.get('x-mbx-used-weight-1m')).toBe('42');
  });

  it('pages through a market of 2,500 trades, a window of 1,200 deposits and a month of 1,100 converts', async () => {
    const now = Date.now();
    const start = now - 20 * DAY;
    const events: SimHistoryEvent[] = [];
    for (let i = 0; i < 1200; i++) {
      events.push({ kind: 'deposit', id: `bulk-d-${i}`, time: start + i * 1000, asset: 'USDT', amount: '1000' });
    }
    for (let i = 0; i < 1100; i++) {
      // Converts in pairs sharing a millisecond, so paging by time must not lose the second of a pair.
      const time = start + 2 * DAY + Math.floor(i / 2) * 1000;
      events.push({ kind: 'convert', id: `bulk-c-${i}`, time, from: 'USDT', fromAmount: '10', to: 'BTC', toAmount: '0.0001' });
    }
    for (let i = 0; i < 2500; i++) {
      events.push({
        kind: 'trade',
        id: `bulk-t-${i}`,
        time: start + 4 * DAY + i * 1000,
        base: 'BTC',
        quote: 'USDT',
        side: i % 2 === 0 ? 'buy' : 'sell',
        amount: '0.0001',
        price: '60000',
        fee: '0.006',
        feeAsset: 'USDT',
      });
    }
    const history = byTime(events);
    const account = seedAccount(history);
    const assets = Object.keys(account.balances);
    const state = emptyHarnessState();
    await importHistory(account.apiKey, state, { assets });

    expect(imported(state)).toEqual(expected(history));
    const requests = historyRequests(account.apiKey);
    const count = (path: string) => requests.filter((e) => e.path === path).length;
    expect(count('/api/v3/myTrades')).toBeLessThanOrEqual(3 + (state.streams.size - FIXED_STREAMS.length - 1));
    const windows = (days: number) => Math.ceil((now - LAUNCH) / (days * DAY));
    expect(count('/sapi/v1/capital/deposit/hisrec')).toBe(windows(90) + 1);
    expect(count('/sapi/v1/convert/tradeFlow')).toBeLessThanOrEqual(windows(30) + 2);
    expect(explainedBalances(state)).toEqual(account.balances);

    // Killed between the two pages of the newest deposit window, then every 9 pages: resumed, the
    // same entries.
    const resumed = emptyHarnessState();
    await importHistory(account.apiKey, resumed, { assets, maxPages: 1 });
    expect(resumed.streams.get('deposits')?.cursor).toMatchObject({ phase: 'backfill', offset: 1000 });
    for (let run = 0; ; run++) {
      expect(run).toBeLessThan(100);
      const result = await importHistory(account.apiKey, resumed, { assets, maxPages: 9 });
      if (result.finished) break;
    }
    expect(imported(resumed)).toEqual(expected(history));
  });

  it('refuses what Binance refuses: a window too long, a missing symbol, fromId with a time range', async () => {
    const account = seedAccount([]);
    const now = Date.now();
    await withExchangeClient(
      'binance',
      { apiKey: account.apiKey, secret: SECRET },
      { purpose: 'history', enableRateLimit: false },
      async (client) => {
        const raw = client as unknown as Record<string, (params: object) => Promise<unknown>>;
        const refused = async (call: Promise<unknown>) => {
          const error = (await failureOf(call)) as Error;
          return `${error.constructor.name} ${error.message}`;
        };
        expect(await refused(raw.sapiGetCapitalDepositHisrec!({ startTime: now - 91 * DAY, endTime: now }))).toMatch(
          /^BadRequest .*-1127/,
        );
        expect(await refused(raw.sapiGetCapitalWithdrawHistory!({ startTime: now - 91 * DAY, endTime: now }))).toMatch(
          /^BadRequest .*-1127/,
        );
        expect(await refused(raw.sapiGetConvertTradeFlow!({ startTime: now - 31 * DAY, endTime: now }))).toMatch(
          /^BadRequest .*-1127/,
        );
        expect(await refused(raw.sapiGetConvertTradeFlow!({ endTime: now }))).toMatch(/-1102/);
        expect(await refused(raw.privateGetMyTrades!({}))).toMatch(/-1102/);
        expect(await refused(raw.privateGetMyTrades!({ symbol: 'NOPEUSDT' }))).toMatch(/^BadSymbol .*-1121/);
        expect(await refused(raw.privateGetMyTrades!({ symbol: 'BTCUSDT', fromId: 1, startTime: now - DAY }))).toMatch(
          /^BadRequest .*-1128/,
        );
        expect(
          await refused(raw.privateGetMyTrades!({ symbol: 'BTCUSDT', startTime: now - 2 * DAY, endTime: now })),
        ).toMatch(/^BadRequest .*-1127/);
      },
    );
  });

  it('reads a market the user added by hand', async () => {
    expect(binanceHistory.acceptsManualStream!('trades:BNB/BTC')).toBe(true);
    expect(binanceHistory.acceptsManualStream!('trades:bnb/btc')).toBe(false);
    expect(binanceHistory.acceptsManualStream!('ledger')).toBe(false);

    const history: SimHistoryEvent[] = [
      { kind: 'deposit', id: 'manual-in', time: Date.now() - 5 * DAY, asset: 'BTC', amount: '1' },
      {
        kind: 'trade',
        id: 'manual-bnb',
        time: Date.now() - 4 * DAY,
        base: 'BNB',
        quote: 'BTC',
        side: 'buy',
        amount: '2',
        price: '0.01',
        fee: '0.00002',
        feeAsset: 'BTC',
      },
      {
        kind: 'trade',
        id: 'manual-bnb-out',
        time: Date.now() - 3 * DAY,
        base: 'BNB',
        quote: 'USDT',
        side: 'sell',
        amount: '2',
        price: '600',
        fee: '1.2',
        feeAsset: 'USDT',
      },
    ];
    const account = seedAccount(history);
    const state = emptyHarnessState();
    // The balances (BTC, USDT) reveal no BNB market: without the user's market, BNB/BTC is missed.
    await importHistory(account.apiKey, state, { assets: ['BTC'] });
    expect(state.streams.has('trades:BNB/BTC')).toBe(false);

    state.streams.set('trades:BNB/BTC', { cursor: null, backfilled: false });
    await importHistory(account.apiKey, state, { assets: ['BTC'] });
    // …and the BNB it bought there reveals BNB/USDT.
    expect(imported(state)).toEqual(expected(history));
  });
});
