// History import bench for `npm run bench`: numbers, not assertions. Prints nothing.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { getDb, setDatabaseHandle } from '@/db';
import { rateLimits } from '@/db/schema';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { clearSharedMarkets, withExchangeClient } from '@/lib/exchanges/client';
import { historyStrategyFor } from '@/lib/exchanges/history';
import { BINANCE_LAUNCH } from '@/lib/exchanges/history/binance/streams';
import { startSimulator, type ExchangeSimulator, type NewAccount } from '@/lib/testing/exchange-simulator/server';
import type { SimExchangeId, SimHistoryEvent } from '@/lib/testing/exchange-simulator/types';
import { emptyHarnessState, runHistoryImport, type HarnessState } from '@/lib/testing/history-harness';
import { seedHistory } from '@/lib/testing/history-seed';
import { createTestDatabase } from '@/lib/testing/test-database';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { driveHistoryImport, type ImportSteps } from '@/lib/history/drive';
import { beginHistoryImport, importHistoryPage } from '@/lib/history/import-page';
import { enqueueRun } from '@/lib/sync/runs';
import { syncConnection } from '@/lib/sync/sync-connection';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';

const ENTRIES = 10_000;
const DAY = 86_400_000;
const round = (n: number) => Math.round(n * 100) / 100;

interface BenchExchange {
  id: SimExchangeId;
  quote: string;
  bases: string[];
  /** How far back the seeded history goes: within what the exchange serves. */
  spanDays: number;
  /** The simulated account holding what `balances` says, in the exchange's own codes and wallets. */
  account(apiKey: string, balances: Record<string, string>, history: SimHistoryEvent[]): NewAccount;
  /** The fewest requests the exchange's page sizes and windows allow for this history. */
  minimum(events: SimHistoryEvent[], now: number): number;
  /** The requests that read history (not markets, currencies or the account list). */
  isHistory(path: string): boolean;
}

const ok = (event: SimHistoryEvent) =>
  !((event.kind === 'deposit' || event.kind === 'withdrawal') && (event.status ?? 'ok') !== 'ok');
const pages = (rows: number, size: number) => Math.max(1, Math.ceil(rows / size));
const spotOf = (balances: Record<string, string>, code: (asset: string) => string = (a) => a) =>
  Object.fromEntries(Object.entries(balances).map(([asset, amount]) => [code(asset), { free: amount, used: '0' }]));
const KRAKEN_IDS: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', USD: 'ZUSD' };

const exchanges: BenchExchange[] = [
  {
    id: 'kraken',
    quote: 'USD',
    spanDays: 730,
    bases: ['BTC', 'ETH', 'SOL'],
    account: (apiKey, balances, history) => ({
      exchange: 'kraken',
      apiKey,
      secret: randomBytes(64).toString('base64'),
      wallets: { spot: spotOf(balances, (asset) => KRAKEN_IDS[asset] ?? asset) },
      history,
    }),
    // One ledger, 50 entries a page; a trade and a convert are two entries.
    minimum: (events) =>
      pages(
        events.filter(ok).reduce((n, e) => n + (e.kind === 'trade' || e.kind === 'convert' ? 2 : 1), 0),
        50,
      ),
    isHistory: (path) => path.endsWith('/Ledgers'),
  },
  {
    id: 'binance',
    quote: 'USDT',
    spanDays: 730,
    bases: ['BTC', 'ETH', 'SOL'],
    account: (apiKey, balances, history) => ({
      exchange: 'binance',
      apiKey,
      secret: randomBytes(32).toString('hex'),
      wallets: { spot: spotOf(balances) },
      history,
    }),
    // 1,000 fills a page per market; deposits and withdrawals in 90-day windows (1,000 a page) and converts in
    // 30-day windows back to the launch; one dust read.
    minimum: (events, now) => {
      const windows = (days: number) => Math.ceil((now - BINANCE_LAUNCH) / (days * DAY));
      const perMarket = new Map<string, number>();
      for (const e of events)
        if (e.kind === 'trade') perMarket.set(`${e.base}/${e.quote}`, (perMarket.get(`${e.base}/${e.quote}`) ?? 0) + 1);
      let trades = 0;
      for (const count of perMarket.values()) trades += pages(count, 1000);
      return 2 * windows(90) + windows(30) + 1 + trades;
    },
    isHistory: (path) =>
      [
        '/api/v3/myTrades',
        '/sapi/v1/capital/deposit/hisrec',
        '/sapi/v1/capital/withdraw/history',
        '/sapi/v1/convert/tradeFlow',
        '/sapi/v1/asset/dribblet',
      ].some((p) => path.endsWith(p)),
  },
  {
    id: 'coinbase',
    quote: 'USD',
    spanDays: 730,
    bases: ['BTC', 'ETH', 'SOL'],
    account: (apiKey, balances, history) => ({
      exchange: 'coinbase',
      apiKey,
      secret: generateKeyPairSync('ec', {
        namedCurve: 'prime256v1',
        privateKeyEncoding: { type: 'sec1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
      wallets: { spot: spotOf(balances) },
      history,
    }),
    // Fills 1,000 a page; each wallet's transactions 100 a page, where a trade and a convert appear in both of
    // their wallets (a trade's twins are read and skipped: Coinbase lists them).
    minimum: (events) => {
      const perWallet = new Map<string, number>();
      const add = (asset: string) => perWallet.set(asset, (perWallet.get(asset) ?? 0) + 1);
      let fills = 0;
      for (const e of events.filter(ok)) {
        if (e.kind === 'trade') {
          fills += 1;
          add(e.base);
          add(e.quote);
        } else if (e.kind === 'convert') {
          add(e.from);
          add(e.to);
        } else add(e.asset);
      }
      let transactions = 0;
      for (const count of perWallet.values()) transactions += pages(count, 100);
      return pages(fills, 1000) + transactions;
    },
    isHistory: (path) => path.includes('/orders/historical/fills') || /\/v2\/accounts\/[^/]+\/transactions/.test(path),
  },
  {
    id: 'kucoin',
    quote: 'USDT',
    bases: ['BTC', 'ETH', 'SOL'],
    // KuCoin serves a year of ledger.
    spanDays: 360,
    account: (apiKey, balances, history) => ({
      exchange: 'kucoin',
      apiKey,
      secret: randomBytes(16).toString('hex'),
      passphrase: 'bench-pass',
      wallets: { trade: spotOf(balances), main: {} },
      history,
    }),
    // A request per 24-hour window of the year (KuCoin's widest), 500 lines a page; a trade and a convert are two
    // lines. Windows end at now (less a few seconds).
    minimum: (events, now) => {
      const lines = new Map<number, number>();
      for (const e of events.filter(ok)) {
        const window = Math.floor((now - e.time) / DAY);
        lines.set(window, (lines.get(window) ?? 0) + (e.kind === 'trade' || e.kind === 'convert' ? 2 : 1));
      }
      let requests = 0;
      for (let window = 0; window < 365; window++) requests += pages(lines.get(window) ?? 0, 500);
      return requests;
    },
    isHistory: (path) => path.endsWith('/api/v1/accounts/ledgers') || path.endsWith('/api/v1/hf/accounts/ledgers'),
  },
];

async function importOnce(
  exchange: BenchExchange,
  credentials: { apiKey: string; secret: string; password?: string },
  state: HarnessState,
  assets: string[],
) {
  return withExchangeClient(exchange.id, credentials, { purpose: 'history', enableRateLimit: false }, (client) =>
    runHistoryImport(historyStrategyFor(exchange.id), client, state, { assets }),
  );
}

/**
 * Requests a backfill of 10,000 entries uses against the fewest the exchange's page sizes allow (goal ≤ 1.2×),
 * and the requests of an incremental import with nothing new (goal ≤ 2 per stream), per verified exchange,
 * through the real strategies, ccxt and the simulator. ccxt's own throttle is off: requests are counted, not waited.
 */
async function requestCounts(simulator: ExchangeSimulator) {
  const now = Date.now();
  const results: Record<string, unknown> = {};
  for (const exchange of exchanges) {
    const { events, balances } = seedHistory({
      seed: 7,
      count: ENTRIES,
      from: now - exchange.spanDays * DAY,
      to: now - 60_000,
      quote: exchange.quote,
      bases: exchange.bases,
      kinds: ['withdrawal', 'reward', 'convert'],
      idPrefix: `bench-${exchange.id}`,
    });
    const apiKey =
      exchange.id === 'coinbase'
        ? `organizations/${randomUUID()}/apiKeys/${randomUUID()}`
        : `bench-history-${exchange.id}`;
    const account = simulator.addAccount(exchange.account(apiKey, balances, events));
    const credentials = { apiKey: account.apiKey, secret: account.secret, password: account.passphrase };
    const assets = Object.keys(balances);
    clearSharedMarkets();
    const historyRequests = () => simulator.log({ apiKey }).filter((entry) => exchange.isHistory(entry.path)).length;

    simulator.clearLog();
    const state = emptyHarnessState();
    const started = performance.now();
    await importOnce(exchange, credentials, state, assets);
    const backfillMs = performance.now() - started;
    const backfill = historyRequests();
    const minimum = exchange.minimum(events, now);

    simulator.clearLog();
    const again = await importOnce(exchange, credentials, state, assets);
    const incremental = historyRequests();
    results[exchange.id] = {
      entries: state.entries.size,
      backfillRequests: backfill,
      minimumRequests: minimum,
      backfillRatio: round(backfill / minimum),
      backfillGoalRatio: 1.2,
      backfillSeconds: round(backfillMs / 1000),
      streams: state.streams.size,
      incrementalRequests: incremental,
      incrementalAdded: again.added,
      incrementalPerStream: round(incremental / state.streams.size),
      incrementalGoalPerStream: 2,
    };
  }
  return results;
}

const SYNC_CONNECTIONS = 16;
const SYNC_CONCURRENCY = 8;
const MEASURE_MS = 15_000;

/** Balance syncs per second over `ms`, `SYNC_CONCURRENCY` at a time, round robin over the connections. */
async function syncRate(userId: string, connectionIds: string[], ms: number): Promise<number> {
  const until = performance.now() + ms;
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SYNC_CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const connectionId = connectionIds[next++ % connectionIds.length]!;
        const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
        const outcome = await syncConnection(connectionId, runId);
        if (outcome.status === 'succeeded') done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/**
 * Balance syncs of one exchange (Kraken, through lib/sync as the Inngest function runs them) per second
 * alone, then while a 10,000-entry backfill of another Kraken account runs through the history engine
 * (lib/history's own step loop, sleeping out its budget as the Inngest function does) in the same
 * process. The history budget is Kraken's default rate (120 a minute) in 10-second windows, so the
 * backfill is busy during the whole measurement; balance syncs have a budget they never reach, so
 * they are limited by this machine only: the case where a backfill could slow them most.
 */
async function syncRateDuringBackfill(simulator: ExchangeSimulator) {
  process.env.EXCHANGE_HISTORY_BUDGET_KRAKEN = '20/10';
  setKeyring(parseKeyring(`bench:${randomBytes(32).toString('base64')}`));
  const userId = await createTestUser();
  const syncing: string[] = [];
  for (let i = 0; i < SYNC_CONNECTIONS; i++) {
    const credentials = { apiKey: `bench-sync-kraken-${i}`, secret: randomBytes(64).toString('base64') };
    simulator.addAccount({
      exchange: 'kraken',
      ...credentials,
      wallets: { spot: { XXBT: { free: '1.5', used: '0' } } },
    });
    syncing.push(await createTestConnection({ userId, exchangeId: 'kraken', credentials }));
  }
  const now = Date.now();
  const { events, balances } = seedHistory({
    seed: 11,
    count: ENTRIES,
    from: now - 730 * DAY,
    to: now - 60_000,
    quote: 'USD',
    bases: ['BTC', 'ETH', 'SOL'],
    kinds: ['withdrawal', 'reward', 'convert'],
  });
  const kraken = exchanges.find((exchange) => exchange.id === 'kraken')!;
  const account = simulator.addAccount(kraken.account('bench-backfill-kraken', balances, events));
  const importing = await createTestConnection({
    userId,
    exchangeId: 'kraken',
    credentials: { apiKey: account.apiKey, secret: account.secret },
  });

  await syncRate(userId, syncing, 2_000); // warm: every client built, markets loaded
  const alone = await syncRate(userId, syncing, MEASURE_MS);
  // The backfills above spent Kraken's history budget under their own, larger one: the same counter, so
  // this backfill would wait out their window and fetch nothing while the syncs are measured.
  await getDb().delete(rateLimits);

  let stop = false;
  let wake: (() => void) | undefined;
  const steps: ImportSteps = {
    run: (_id, work) => (stop ? Promise.resolve({ status: 'stopped', message: null }) : work()),
    sleep: (_id, ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
  const ids = { connectionId: importing, userId };
  let pages = 0;
  const backfill = (async () => {
    while (!stop) {
      const result = await driveHistoryImport(steps, ids, { begin: beginHistoryImport, page: importHistoryPage });
      pages += result.pages;
      if (result.status !== 'continue') return result.status;
    }
    return 'stopped';
  })();
  const during = await syncRate(userId, syncing, MEASURE_MS);
  stop = true;
  wake?.();
  const ended = await backfill;
  delete process.env.EXCHANGE_HISTORY_BUDGET_KRAKEN;
  return {
    exchange: 'kraken',
    historyBudget: '20 per 10 s',
    syncsPerSecondAlone: round(alone),
    syncsPerSecondDuringBackfill: round(during),
    ratio: round(during / alone),
    goalRatio: 0.9,
    backfillPagesDuringMeasurement: pages,
    backfillStillRunning: ended !== 'finished',
  };
}

export async function historyBenchmarks() {
  const serverUrl = process.env.DATABASE_URL?.trim();
  const own = serverUrl ? await createTestDatabase(serverUrl, 'coinsphere_bench_history') : undefined;
  const handle: DatabaseHandle = own ? openDatabase({ url: own.url }) : openDatabase({ pgliteDir: 'memory://' });
  if (!own) await migrateDatabase(handle);
  setDatabaseHandle(handle);
  // Every request draws from the per-exchange budgets in the database: room for all of this bench's.
  const previous = {
    budget: process.env.EXCHANGE_BUDGET_DEFAULT,
    historyBudget: process.env.EXCHANGE_HISTORY_BUDGET_DEFAULT,
    override: process.env.EXCHANGE_API_OVERRIDE,
  };
  process.env.EXCHANGE_BUDGET_DEFAULT = '1000000/60';
  process.env.EXCHANGE_HISTORY_BUDGET_DEFAULT = '1000000/60';
  const simulator = await startSimulator();
  process.env.EXCHANGE_API_OVERRIDE = simulator.url;
  try {
    return {
      database: handle.kind,
      requests: await requestCounts(simulator),
      balanceSyncs: await syncRateDuringBackfill(simulator),
    };
  } finally {
    for (const [name, value] of [
      ['EXCHANGE_BUDGET_DEFAULT', previous.budget],
      ['EXCHANGE_HISTORY_BUDGET_DEFAULT', previous.historyBudget],
      ['EXCHANGE_API_OVERRIDE', previous.override],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    clearSharedMarkets();
    await simulator.close();
    setDatabaseHandle(undefined);
    await handle.close();
    setKeyring(undefined);
    await own?.drop();
  }
}
