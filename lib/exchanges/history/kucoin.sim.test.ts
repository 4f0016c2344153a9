import { randomBytes } from 'node:crypto';
import { BadRequest, ExchangeError, type Exchange } from 'ccxt';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withExchangeClient } from '../client';
import { classifyExchangeError, RETRY_AFTER } from '../errors';
import { CLASSIC_LEDGER_STREAM, HF_LEDGER_STREAM, kucoinHistory } from './kucoin';
import { entriesOf } from './kucoin/ledger-entries';
import { parseLedgerLine } from './kucoin/ledger-line';
import type { ActivityEntry } from './types';
import { withTestDatabase } from '@/lib/testing/database';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { simulatedKucoinIds } from '@/lib/testing/exchange-simulator/exchanges/kucoin-history';
import type { SimHistoryEvent } from '@/lib/testing/exchange-simulator/types';
import { emptyHarnessState, runHistoryImport, type HarnessState } from '@/lib/testing/history-harness';
import { balancesOf, seedHistory } from '@/lib/testing/history-seed';
import { withSimulator } from '@/lib/testing/simulator';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const DAY = 86_400_000;
const CLASSIC_PATH = '/api/v1/accounts/ledgers';
const HF_PATH = '/api/v1/hf/accounts/ledgers';

let sim: ExchangeSimulator;

withTestDatabase();
// Several year-long backfills in a minute: more than the installation's default 600 KuCoin requests a
// minute, which the engine's pacing (not these tests) is about.
beforeAll(() => {
  process.env.EXCHANGE_BUDGET_KUCOIN = '100000/60';
});
afterAll(() => {
  delete process.env.EXCHANGE_BUDGET_KUCOIN;
});
withSimulator((s) => {
  sim = s;
  sim.ctx.tickers.kucoin = { 'BTC/USDT': '64000.5', 'ETH/USDT': '3100.25', 'SOL/USDT': '150.1' };
});

interface Key {
  apiKey: string;
  secret: string;
  password: string;
}

/**
 * A busy half day 40.5 days ago (the middle of a 24-hour window): a reward, then 300 trades, so the
 * window holds 602 ledger lines and its first 500-line page ends between the two sides of a trade.
 */
function burst(now: number): SimHistoryEvent[] {
  const at = now - 40 * DAY - 12 * 3_600_000;
  const events: SimHistoryEvent[] = [
    {
      kind: 'deposit',
      id: 'burst-funding',
      time: at - 60_000,
      asset: 'USDT',
      amount: '20000',
      txHash: '0xburst',
      network: 'ETH',
    },
  ];
  for (let i = 1; i <= 300; i++) {
    events.push({
      kind: 'trade',
      id: `burst-${i}`,
      time: at + i,
      base: 'ETH',
      quote: 'USDT',
      side: 'buy',
      amount: '0.01',
      price: '3000',
      fee: '0.03',
      feeAsset: 'USDT',
    });
  }
  events.push({ kind: 'reward', id: 'burst-reward', time: at + 1_000, asset: 'BTC', amount: '0.001' });
  return events;
}

function seeded(now: number, prefix: string): SimHistoryEvent[] {
  const { events } = seedHistory({
    seed: 7,
    count: 300,
    from: now - 300 * DAY,
    to: now - 3_600_000,
    quote: 'USDT',
    bases: ['BTC', 'ETH', 'SOL'],
    kinds: ['withdrawal', 'reward', 'convert'],
    idPrefix: prefix,
  });
  return [...events, ...burst(now).map((event) => ({ ...event, id: `${prefix}-${event.id}` }))];
}

/** A KuCoin account whose wallets hold what `events` add up to (plus `extra`, which history does not explain). */
function account(events: SimHistoryEvent[], options: { hf?: boolean; extra?: Record<string, string> } = {}): Key {
  const key = { apiKey: `kc-history-${randomBytes(6).toString('hex')}`, secret: 's3cret', password: 'pass' };
  const balances = balancesOf(events);
  for (const [asset, amount] of Object.entries(options.extra ?? {})) {
    balances[asset] = new D(balances[asset] ?? 0).plus(amount).toFixed();
  }
  const trading = Object.fromEntries(
    Object.entries(balances).map(([asset, total]) => [asset, { free: total, used: '0' }]),
  );
  sim.addAccount({
    exchange: 'kucoin',
    apiKey: key.apiKey,
    secret: key.secret,
    passphrase: key.password,
    highFrequency: options.hf ?? false,
    wallets: options.hf ? { trade: {}, trade_hf: trading, main: {} } : { trade: trading, main: {} },
  });
  sim.ctx.accounts.get(key.apiKey)!.history = [...events];
  return key;
}

function run(key: Key, state: HarnessState, options: { maxPages?: number; now?: Date } = {}) {
  return withExchangeClient('kucoin', key, { purpose: 'history' }, (client) =>
    runHistoryImport(kucoinHistory, client, state, options),
  );
}

/** An incremental run once the settling lag is over the newest lines (the incremental test adds some a second old). */
const catchUp = (key: Key, state: HarnessState) => run(key, state, { now: new Date(Date.now() + 11_000) });

const decimal = (value: string | null | undefined) =>
  value === null || value === undefined ? null : new D(value).toFixed();

/** Every field, with absent ones as null and amounts in one spelling, so entries compare whole. */
function normalised(entry: ActivityEntry) {
  return {
    kind: entry.kind,
    externalId: entry.externalId,
    occurredAt: entry.occurredAt.getTime(),
    asset: entry.asset,
    amount: decimal(entry.amount),
    counterAsset: entry.counterAsset ?? null,
    counterAmount: decimal(entry.counterAmount),
    price: decimal(entry.price),
    feeAsset: entry.feeAsset ?? null,
    feeAmount: decimal(entry.feeAmount),
    status: entry.status,
    network: entry.network ?? null,
    txHash: entry.txHash ?? null,
    note: entry.note ?? null,
  };
}

/** What the import must produce for each simulated event, built from the events alone. */
function expectedEntry(event: SimHistoryEvent): ActivityEntry {
  const ids = simulatedKucoinIds(event.id);
  const base = { occurredAt: new Date(event.time), status: 'ok' as const, network: null, note: null };
  switch (event.kind) {
    case 'deposit':
      return {
        ...base,
        kind: 'deposit',
        externalId: ids.ledgerId(0),
        asset: event.asset,
        amount: event.amount,
        txHash: event.txHash ?? null,
      };
    case 'withdrawal':
      return {
        ...base,
        kind: 'withdrawal',
        externalId: ids.ledgerId(0),
        asset: event.asset,
        amount: new D(event.amount).neg().toFixed(),
        feeAsset: event.asset,
        feeAmount: event.fee,
        txHash: event.txHash ?? null,
      };
    case 'reward':
      return { ...base, kind: 'reward', externalId: ids.ledgerId(0), asset: event.asset, amount: event.amount };
    case 'convert':
      return {
        ...base,
        kind: 'convert',
        externalId: ids.orderId,
        asset: event.to,
        amount: event.toAmount,
        counterAsset: event.from,
        counterAmount: new D(event.fromAmount).neg().toFixed(),
      };
    case 'trade': {
      const sign = event.side === 'buy' ? 1 : -1;
      return {
        ...base,
        kind: 'trade',
        externalId: `${ids.tradeId}:${ids.orderId}`,
        asset: event.base,
        amount: new D(event.amount).times(sign).toFixed(),
        counterAsset: event.quote,
        counterAmount: new D(event.amount).times(event.price).times(-sign).toFixed(),
        price: event.price,
        feeAsset: event.feeAsset,
        feeAmount: event.fee,
      };
    }
  }
}

const sortedEntries = (entries: Iterable<ActivityEntry>) =>
  [...entries].map(normalised).sort((a, b) => `${a.kind}:${a.externalId}`.localeCompare(`${b.kind}:${b.externalId}`));

const expected = (events: SimHistoryEvent[]) => sortedEntries(events.map(expectedEntry));

/** Per asset, what the imported entries add up to: amount + counterAmount − fee over 'ok' entries. */
function sums(entries: Iterable<ActivityEntry>): Record<string, string> {
  const totals = new Map<string, Decimal>();
  const add = (asset: string | null | undefined, value: string | null | undefined, sign = 1) => {
    if (!asset || value === null || value === undefined) return;
    totals.set(asset, (totals.get(asset) ?? new D(0)).plus(new D(value).times(sign)));
  };
  for (const entry of entries) {
    if (entry.status !== 'ok') continue;
    add(entry.asset, entry.amount);
    add(entry.counterAsset, entry.counterAmount);
    add(entry.feeAsset, entry.feeAmount, -1);
  }
  return Object.fromEntries(
    [...totals].filter(([, total]) => !total.isZero()).map(([asset, total]) => [asset, total.toFixed()]),
  );
}

const requestsTo = (key: Key, path: string) =>
  sim.log({ apiKey: key.apiKey }).filter((entry) => entry.path === path).length;

/** The fewest ledger requests a year back allows: one per window, plus each window's pages past its first. */
const MIN_CLASSIC_REQUESTS = Math.ceil((365 * DAY) / DAY) + (Math.ceil(602 / 500) - 1);
const MIN_HF_REQUESTS = Math.ceil((365 * DAY) / (7 * DAY));

/** A year of 24-hour windows is ~370 requests through ccxt's throttle: seconds, not the default 5. */
const BACKFILL_TIMEOUT_MS = 180_000;

describe('KuCoin history through the simulator (classic account)', { timeout: BACKFILL_TIMEOUT_MS }, () => {
  let now: number;
  let events: SimHistoryEvent[];
  let key: Key;
  let state: HarnessState;

  beforeAll(async () => {
    now = Date.now();
    events = seeded(now, 'classic');
    key = account(events);
    state = emptyHarnessState();
    sim.clearLog();
    await run(key, state);
  }, BACKFILL_TIMEOUT_MS);

  it('imports exactly the seeded history, each trade as one entry even across a page boundary', () => {
    expect(sortedEntries(state.entries.values())).toEqual(expected(events));
    expect([...state.streams.keys()]).toEqual([CLASSIC_LEDGER_STREAM]);
  });

  it('adds up to the balances the account holds', () => {
    expect(sums(state.entries.values())).toEqual(balancesOf(events));
  });

  it('reads a year back in 24-hour windows with the fewest requests KuCoin allows', () => {
    const ledgerRequests = requestsTo(key, CLASSIC_PATH);
    expect(MIN_CLASSIC_REQUESTS).toBe(366);
    expect(ledgerRequests).toBeLessThanOrEqual(Math.floor(1.2 * MIN_CLASSIC_REQUESTS));
    expect(ledgerRequests).toBe(MIN_CLASSIC_REQUESTS);
    // The fixed lookup: whether the account is high-frequency.
    expect(requestsTo(key, '/api/v1/hf/accounts/opened')).toBe(1);
    expect(sim.log({ apiKey: key.apiKey }).every((entry) => entry.verified === true && entry.status === 200)).toBe(
      true,
    );
  });

  it('adds nothing on a second run, for at most 2 requests per stream', async () => {
    sim.clearLog();
    const second = await run(key, state);
    expect(second.added).toBe(0);
    expect(requestsTo(key, CLASSIC_PATH)).toBeLessThanOrEqual(2);
    expect(sim.log({ apiKey: key.apiKey }).length).toBeLessThanOrEqual(1 + 2);
  });

  it('imports only what is new on an incremental run', async () => {
    const fresh: SimHistoryEvent[] = [
      {
        kind: 'deposit',
        id: 'classic-new-1',
        time: Date.now() - 2_000,
        asset: 'USDT',
        amount: '250.5',
        txHash: '0xnew',
      },
      {
        kind: 'trade',
        id: 'classic-new-2',
        time: Date.now() - 1_000,
        base: 'BTC',
        quote: 'USDT',
        side: 'buy',
        amount: '0.001',
        price: '64000',
        fee: '0.064',
        feeAsset: 'USDT',
      },
    ];
    sim.ctx.accounts.get(key.apiKey)!.history!.push(...fresh);
    sim.clearLog();
    const incremental = await catchUp(key, state);
    expect(incremental.added).toBe(2);
    expect(sortedEntries(state.entries.values())).toEqual(expected([...events, ...fresh]));
    expect(sums(state.entries.values())).toEqual(balancesOf([...events, ...fresh]));
    expect(requestsTo(key, CLASSIC_PATH)).toBeLessThanOrEqual(2);
  });

  it('gives the same result when killed between pages and resumed', async () => {
    const resumed = emptyHarnessState();
    let runs = 0;
    for (let finished = false; !finished; runs++) {
      finished = (await run(key, resumed, { maxPages: 9 })).finished;
    }
    expect(runs).toBeGreaterThan(3);
    await catchUp(key, resumed);
    expect(sortedEntries(resumed.entries.values())).toEqual(sortedEntries(state.entries.values()));
  });

  // ccxt 4.5.84 reads KuCoin's 429000 body before the HTTP status, so the error is its generic
  // ExchangeError; the Retry-After rides on it and the classifier calls it a rate limit.
  it('fails a page on a 429 with the Retry-After, and resumes after it', async () => {
    const resumed = emptyHarnessState();
    await run(key, resumed, { maxPages: 20 });
    sim.addFault(key.apiKey, { kind: 'rate_limit', pathIncludes: CLASSIC_PATH, retryAfterSeconds: 7 });
    const error = await run(key, resumed).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ExchangeError);
    expect(String(error)).toContain('429000');
    expect((error as Record<symbol, unknown>)[RETRY_AFTER]).toBe(7000);
    expect(classifyExchangeError(error)).toMatchObject({ kind: 'rate_limit', retryAfterMs: 7000 });
    await run(key, resumed);
    await catchUp(key, resumed);
    expect(sortedEntries(resumed.entries.values())).toEqual(sortedEntries(state.entries.values()));
  });

  it('is refused by the simulator, as by KuCoin, for a window over 24 hours', async () => {
    const error = await withExchangeClient('kucoin', key, { purpose: 'history' }, (client: Exchange) =>
      (client as Exchange & { privateGetAccountsLedgers(p: object): Promise<unknown> }).privateGetAccountsLedgers({
        startAt: Date.now() - DAY - 1,
        endAt: Date.now(),
      }),
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BadRequest);
    expect(String(error)).toContain('400100');
  });
});

describe('KuCoin history through the simulator (high-frequency account)', { timeout: BACKFILL_TIMEOUT_MS }, () => {
  it('reads the main ledger and the HF trading ledger, adding up to the balances', async () => {
    const now = Date.now();
    const events = seeded(now, 'hf');
    const key = account(events, { hf: true });
    const state = emptyHarnessState();
    sim.clearLog();
    await run(key, state);

    expect([...state.streams.keys()]).toEqual([CLASSIC_LEDGER_STREAM, HF_LEDGER_STREAM]);
    expect(sortedEntries(state.entries.values())).toEqual(expected(events));
    expect(sums(state.entries.values())).toEqual(balancesOf(events));
    // Trades are all in the HF ledger: the classic one holds one line per other event in one page a window.
    expect(requestsTo(key, CLASSIC_PATH)).toBe(365);
    expect(requestsTo(key, HF_PATH)).toBeLessThanOrEqual(Math.floor(1.2 * (MIN_HF_REQUESTS + 3)));
    // The burst's 600 trade lines fill three 200-line pages and a last one of their window.
    expect(requestsTo(key, HF_PATH)).toBe(MIN_HF_REQUESTS + 3);

    sim.clearLog();
    expect((await run(key, state)).added).toBe(0);
    expect(requestsTo(key, CLASSIC_PATH)).toBeLessThanOrEqual(2);
    expect(requestsTo(key, HF_PATH)).toBeLessThanOrEqual(2);
  });
});

describe('reconciliation', { timeout: BACKFILL_TIMEOUT_MS }, () => {
  it('leaves exactly the injected amount unexplained when the wallets hold more than the history', async () => {
    const events = seedHistory({
      seed: 3,
      count: 60,
      from: Date.now() - 90 * DAY,
      to: Date.now() - DAY,
      quote: 'USDT',
      bases: ['BTC', 'ETH'],
      idPrefix: 'gap',
    }).events;
    const key = account(events, { extra: { BTC: '0.5', USDT: '12.34' } });
    const state = emptyHarnessState();
    await run(key, state);

    const explained = sums(state.entries.values());
    const held = sim.ctx.accounts.get(key.apiKey)!.wallets.trade!;
    const difference = Object.fromEntries(
      Object.entries(held)
        .map(([asset, { free, used }]) => [asset, new D(free).plus(used).minus(explained[asset] ?? 0)] as const)
        .filter(([, gap]) => !gap.isZero())
        .map(([asset, gap]) => [asset, gap.toFixed()]),
    );
    expect(difference).toEqual({ BTC: '0.5', USDT: '12.34' });
  });
});

describe('the KuCoin ledger normaliser', () => {
  const client = { safeCurrencyCode: (id: string) => (id === 'XBT' ? 'BTC' : id) } as unknown as Exchange;
  const line = (fields: Record<string, unknown>) =>
    parseLedgerLine(client, {
      id: '65f0c1d2e3a4b5c6d7e8f901',
      currency: 'USDT',
      amount: '12.5',
      fee: '0',
      balance: '100',
      accountType: 'MAIN',
      direction: 'in',
      createdAt: 1_700_000_000_000,
      context: '',
      ...fields,
    });

  it('keeps a business type it does not know as kind other, with a note', () => {
    const { entries, waiting } = entriesOf([line({ bizType: 'Mystery Box Payout' })], []);
    expect(waiting).toEqual([]);
    expect(entries).toEqual([
      expect.objectContaining({
        kind: 'other',
        externalId: '65f0c1d2e3a4b5c6d7e8f901',
        asset: 'USDT',
        amount: '12.5',
        note: expect.stringContaining('Mystery Box Payout'),
      }),
    ]);
  });

  it('reads HF contexts written with single quotes and pairs the two sides of a trade', () => {
    const context = "{'symbol':'XBT-USDT','orderId':'6306257dd9180300014c8d47','tradeId':'609522034689'}";
    const { entries } = entriesOf(
      [
        line({
          id: '2',
          currency: 'USDT',
          amount: '64.064',
          fee: '0.064',
          direction: 'out',
          bizType: 'TRADE_EXCHANGE',
          context,
        }),
        line({
          id: '1',
          currency: 'XBT',
          amount: '0.001',
          fee: '0',
          direction: 'in',
          bizType: 'TRADE_EXCHANGE',
          context,
        }),
      ],
      [],
    );
    expect(entries.map(normalised)).toEqual([
      expect.objectContaining({
        kind: 'trade',
        externalId: '609522034689:6306257dd9180300014c8d47',
        asset: 'BTC',
        amount: '0.001',
        counterAsset: 'USDT',
        counterAmount: '-64',
        price: '64000',
        feeAsset: 'USDT',
        feeAmount: '0.064',
      }),
    ]);
  });
});
