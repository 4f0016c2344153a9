// The history import end to end: the import-history function through the real /api/inngest route
// (the in-repo test executor), the engine (lib/history), the vault, the real Kraken strategy over
// ccxt against the exchange simulator's Ledgers endpoint, and the database (PGlite, or PostgreSQL
// with DATABASE_URL). What the engine stores is compared with what the strategy yields through the
// in-memory harness (kraken.sim.test.ts proves that equals the seeded events) and with the balances
// the seeded events add up to.
import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { getDb } from '@/db';
import { activityEntries, historyImports, historyStreams } from '@/db/schema';
import { connectExchange } from '@/lib/connections/connect';
import { disconnect } from '@/lib/connections/disconnect';
import { withExchangeClient } from '@/lib/exchanges/client';
import { binanceHistory } from '@/lib/exchanges/history/binance';
import { krakenHistory } from '@/lib/exchanges/history/kraken';
import type { ActivityEntry } from '@/lib/exchanges/history/types';
import { driveHistoryImport, type ImportSteps } from '@/lib/history/drive';
import { beginHistoryImport, ensureImportRow, importHistoryPage, type ImportStep } from '@/lib/history/import-page';
import { startHistoryImport } from '@/lib/history/start';
import { addManualStream } from '@/lib/history/add-stream';
import { getHistoryProgress } from '@/lib/history/progress';
import { withTestDatabase } from '@/lib/testing/database';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimHistoryEvent } from '@/lib/testing/exchange-simulator/types';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { holdingLines, pointInngestAt, refusingUrl } from '@/lib/testing/fixtures';
import { emptyHarnessState, runHistoryImport } from '@/lib/testing/history-harness';
import { balancesOf, seedHistory } from '@/lib/testing/history-seed';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { importHistoryFunction } from './functions/import-history';
import { syncConnectionFunction } from './functions/sync-connection';

/** A function's registered config, as the SDK sends it to Inngest on sync (getConfig is private in its types). */
function configOf(fn: object) {
  type Config = Record<string, unknown> & { id: string };
  const withConfig = fn as { getConfig(options: { baseUrl: URL; appPrefix: string }): Config[] };
  return withConfig.getConfig({ baseUrl: new URL('https://app.example/api/inngest'), appPrefix: 'coinsphere' });
}

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const LEDGERS = '/0/private/Ledgers';
const KRAKEN_IDS: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', USD: 'ZUSD', DOT: 'DOT', SOL: 'SOL' };
const DAY = 86_400_000;

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;

beforeAll(async () => {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route') });
});
afterAll(async () => {
  await executor?.close();
  setKeyring(undefined);
});
beforeEach(() => executor.reset());

const seeded = seedHistory({
  seed: 42,
  count: 240,
  from: Date.UTC(2024, 2, 10),
  to: Date.now() - DAY,
  quote: 'USD',
  bases: ['BTC', 'ETH', 'DOT', 'SOL'],
  kinds: ['withdrawal', 'reward', 'convert'],
  idPrefix: 'engine',
});

interface Seeded {
  userId: string;
  connectionId: string;
  apiKey: string;
  secret: string;
}

/** A Kraken connection with stored credentials, and a simulator account holding `events`' history. */
async function seedConnection(events: SimHistoryEvent[] = seeded.events, userId?: string): Promise<Seeded> {
  const owner = userId ?? (await createTestUser());
  const apiKey = `engine-${randomBytes(8).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  const spot = Object.fromEntries(
    Object.entries(balancesOf(events)).map(([asset, amount]) => [
      KRAKEN_IDS[asset] ?? asset,
      { free: amount, used: '0' },
    ]),
  );
  sim.addAccount({ exchange: 'kraken', apiKey, secret, wallets: { spot }, history: [...events] });
  const connectionId = await createTestConnection({
    userId: owner,
    exchangeId: 'kraken',
    credentials: { apiKey, secret },
    values: { nextSyncAt: new Date(Date.now() + 3_600_000) },
  });
  return { userId: owner, connectionId, apiKey, secret };
}

/** What the strategy yields for the account, through the in-memory harness. */
async function harnessEntries(account: Seeded): Promise<string[]> {
  const state = emptyHarnessState();
  // ccxt's own throttle (about 6 s a ledger page within one loan) is off: the simulator does not limit.
  await withExchangeClient('kraken', account, { purpose: 'history', enableRateLimit: false }, (client) =>
    runHistoryImport(krakenHistory, client, state),
  );
  return [...state.entries.values()].map(line).sort();
}

/** One entry as a line, every field that is stored. */
function line(entry: ActivityEntry | typeof activityEntries.$inferSelect): string {
  const n = (value: string | null | undefined) => (value === null || value === undefined ? '' : new D(value).toFixed());
  return [
    entry.kind,
    entry.externalId,
    entry.occurredAt.toISOString(),
    entry.asset,
    n(entry.amount),
    entry.counterAsset ?? '',
    n(entry.counterAmount),
    n(entry.price),
    entry.feeAsset ?? '',
    n(entry.feeAmount),
    entry.status,
    entry.network ?? '',
    entry.txHash ?? '',
    entry.note ?? '',
  ].join('|');
}

async function storedEntries(connectionId: string) {
  return getDb().select().from(activityEntries).where(eq(activityEntries.connectionId, connectionId));
}

async function storedLines(connectionId: string): Promise<string[]> {
  return (await storedEntries(connectionId)).map(line).sort();
}

/** Per asset, what the stored entries add up to (status ok): amount + counter amount − fee. */
async function storedSums(connectionId: string): Promise<Record<string, string>> {
  const totals = new Map<string, Decimal>();
  const add = (asset: string | null, amount: string | null, sign = 1) => {
    if (!asset || amount === null) return;
    totals.set(asset, (totals.get(asset) ?? new D(0)).plus(new D(amount).times(sign)));
  };
  for (const entry of await storedEntries(connectionId)) {
    if (entry.status !== 'ok') continue;
    add(entry.asset, entry.amount);
    add(entry.counterAsset, entry.counterAmount);
    add(entry.feeAsset, entry.feeAmount, -1);
  }
  return Object.fromEntries([...totals].filter(([, sum]) => !sum.isZero()).map(([a, sum]) => [a, sum.toFixed()]));
}

async function importRow(connectionId: string) {
  const [row] = await getDb().select().from(historyImports).where(eq(historyImports.connectionId, connectionId));
  return row;
}

async function streamRow(connectionId: string, stream = 'ledger') {
  const [row] = await getDb()
    .select()
    .from(historyStreams)
    .where(and(eq(historyStreams.connectionId, connectionId), eq(historyStreams.stream, stream)));
  return row;
}

const ledgerRequests = (account: Seeded) => sim.log({ apiKey: account.apiKey }).filter((e) => e.path === LEDGERS);

/** Starts the import the way Connect does and waits for every run it causes. */
async function importThroughInngest(account: Seeded) {
  expect(
    await startHistoryImport({ connectionId: account.connectionId, userId: account.userId, exchangeId: 'kraken' }),
  ).toBe('sent');
  await executor.settled();
}

/** The engine in this process with a step counter: `killAfter` steps, the run dies (a crash between pages). */
function countingSteps(killAfter = Number.POSITIVE_INFINITY, between?: (done: number) => Promise<void>) {
  let done = 0;
  const steps: ImportSteps = {
    async run(_id, work) {
      if (done >= killAfter) throw new Error('killed');
      const outcome = await work();
      done += 1;
      await between?.(done);
      return outcome;
    },
    sleep: async () => undefined,
  };
  return { steps, done: () => done };
}

const engine = { begin: beginHistoryImport, page: importHistoryPage };

describe('a Kraken backfill through import-history', () => {
  it('stores exactly the seeded history, in the fewest pages, with progress and nothing secret in Inngest', async () => {
    const account = await seedConnection();
    const expected = await harnessEntries(account);
    sim.clearLog();

    await importThroughInngest(account);

    const [run] = executor.runsOf('import-history');
    expect(run).toMatchObject({ status: 'completed' });
    expect(await storedLines(account.connectionId)).toEqual(expected);
    expect(await storedSums(account.connectionId)).toEqual(balancesOf(seeded.events));
    // Every Ledgers request was a page stored: none repeated, none wasted.
    const pages = ledgerRequests(account).length;
    expect(run!.output).toMatchObject({ status: 'finished', pages, added: expected.length });
    expect(await streamRow(account.connectionId)).toMatchObject({ backfilled: true, entries: expected.length });
    expect(await importRow(account.connectionId)).toMatchObject({
      state: 'succeeded',
      phase: 'incremental',
      completeHistory: true,
      lastError: null,
    });
    const progress = await getHistoryProgress(account.userId, account.connectionId);
    expect(progress).toMatchObject({ state: 'succeeded', entries: expected.length, verified: true });
    expect(new Date(progress!.coveredFrom!).getTime()).toBe(Math.min(...seeded.events.map((e) => e.time)));
    expect((await importRow(account.connectionId))!.nextImportAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);

    const everythingInngestSaw = JSON.stringify([executor.events, executor.runs]);
    for (const secret of [account.apiKey, account.secret]) expect(everythingInngestSaw).not.toContain(secret);
    expect(executor.events.map((event) => event.data)).toEqual([
      { connectionId: account.connectionId, userId: account.userId, exchangeId: 'kraken' },
    ]);

    // A second run adds nothing, in one request.
    executor.reset();
    sim.clearLog();
    await importThroughInngest(account);
    expect(executor.runsOf('import-history')[0]!.output).toMatchObject({ status: 'finished', added: 0, pages: 1 });
    expect(ledgerRequests(account)).toHaveLength(1);
    expect(await storedLines(account.connectionId)).toEqual(expected);
  });

  it('a crash between pages resumes to the same result, never with half a page', async () => {
    const account = await seedConnection();
    const expected = await harnessEntries(account);
    const ids = { connectionId: account.connectionId, userId: account.userId };

    // Killed after begin and three pages: exactly three pages are stored, each whole with its cursor.
    const entriesAfter: number[] = [];
    const killed = countingSteps(4, async () => {
      entriesAfter.push((await storedEntries(account.connectionId)).length);
    });
    await expect(driveHistoryImport(killed.steps, ids, engine)).rejects.toThrow('killed');
    const stream = await streamRow(account.connectionId);
    expect(stream).toMatchObject({ backfilled: false, entries: entriesAfter[3] });
    expect(entriesAfter[3]).toBeGreaterThan(0);
    expect(entriesAfter[3]).toBeLessThan(expected.length);

    // Page 3 of the resumed run fails at the exchange (500): Inngest retries that step and goes on.
    sim.addFault(account.apiKey, { kind: 'server_error', pathIncludes: LEDGERS });
    await importThroughInngest(account);
    const [run] = executor.runsOf('import-history');
    expect(run).toMatchObject({ status: 'completed' });
    expect(run!.ops).toContain('StepError');
    expect(await storedLines(account.connectionId)).toEqual(expected);
    expect(await streamRow(account.connectionId)).toMatchObject({ backfilled: true, entries: expected.length });
  });

  it('waits out a 429 for its Retry-After and continues', async () => {
    const account = await seedConnection();
    const expected = await harnessEntries(account);
    sim.addFault(account.apiKey, { kind: 'rate_limit', pathIncludes: LEDGERS, retryAfterSeconds: 7 });

    await importThroughInngest(account);

    const [run] = executor.runsOf('import-history');
    expect(run).toMatchObject({ status: 'completed' });
    expect(run!.ops.filter((op) => op === 'Sleep')).toHaveLength(1);
    expect(run!.responses.join('\n')).toContain('"retryAfterMs":7000');
    expect(await storedLines(account.connectionId)).toEqual(expected);
  });

  it('imports only the new activity incrementally', async () => {
    const account = await seedConnection();
    await importThroughInngest(account);
    const before = await storedLines(account.connectionId);
    const newer = seedHistory({
      seed: 7,
      count: 40,
      from: Date.now() - 60_000,
      to: Date.now() - 1000,
      quote: 'USD',
      bases: ['BTC', 'ETH'],
      idPrefix: 'engine-newer',
    }).events;
    sim.ctx.accounts.get(account.apiKey)!.history!.push(...newer);

    executor.reset();
    await importThroughInngest(account);

    const after = await storedLines(account.connectionId);
    const expected = await harnessEntries(account);
    expect(after).toEqual(expected);
    const added = after.filter((entry) => !before.includes(entry));
    expect(added.length).toBe(after.length - before.length);
    expect(added.every((entry) => entry.split('|')[1]!.length > 0)).toBe(true);
    expect(executor.runsOf('import-history')[0]!.output).toMatchObject({ added: added.length });
    expect(await storedSums(account.connectionId)).toEqual(balancesOf([...seeded.events, ...newer]));
  });

  it('an exchange that stays down: retried, then the import fails with a plain message, pages stored so far kept', async () => {
    const account = await seedConnection();
    const ids = { connectionId: account.connectionId, userId: account.userId };
    await expect(driveHistoryImport(countingSteps(3).steps, ids, engine)).rejects.toThrow('killed');
    const kept = await storedLines(account.connectionId);
    expect(kept.length).toBeGreaterThan(0);
    sim.addFault(account.apiKey, { kind: 'unavailable', pathIncludes: LEDGERS, remaining: 50 });

    await importThroughInngest(account);

    const [run] = executor.runsOf('import-history');
    expect(run).toMatchObject({ status: 'failed' });
    expect(run!.ops.filter((op) => op === 'StepError').length).toBeGreaterThanOrEqual(4);
    expect(executor.runsOf('import-history-failure')).toMatchObject([{ status: 'completed' }]);
    const row = await importRow(account.connectionId);
    expect(row).toMatchObject({
      state: 'failed',
      lastError: 'The exchange could not be reached or did not answer in time. We will try again shortly.',
    });
    expect(await storedLines(account.connectionId)).toEqual(kept);
  });

  it('refused keys end the import as failed with a plain message and no retry', async () => {
    const account = await seedConnection();
    sim.addFault(account.apiKey, { kind: 'auth', pathIncludes: LEDGERS, remaining: 10 });
    await importThroughInngest(account);
    const [run] = executor.runsOf('import-history');
    expect(run!.ops).not.toContain('StepError');
    const row = await importRow(account.connectionId);
    expect(row).toMatchObject({ state: 'failed' });
    expect(row!.lastError).toMatch(/^The exchange rejected this API key/);
    expect(row!.lastError).not.toContain(account.apiKey);
  });
});

describe('disconnect', () => {
  it('stops the import between pages and keeps the history; the delete choice removes it', async () => {
    const account = await seedConnection();
    const ids = { connectionId: account.connectionId, userId: account.userId };
    const stepped: ImportStep[] = [];
    const run = countingSteps(Number.POSITIVE_INFINITY, async (done) => {
      if (done === 3)
        expect(await disconnect(account.userId, account.connectionId, { keepHoldings: true })).toMatchObject({
          ok: true,
        });
    });
    const result = await driveHistoryImport(
      {
        ...run.steps,
        run: async (id, work) => {
          const outcome = await run.steps.run(id, work);
          stepped.push(outcome);
          return outcome;
        },
      },
      ids,
      engine,
    );
    expect(result).toMatchObject({ status: 'stopped', pages: 2 });
    const kept = await storedEntries(account.connectionId);
    expect(kept.length).toBeGreaterThan(0);
    expect(await streamRow(account.connectionId)).toMatchObject({ backfilled: false, entries: kept.length });
    expect(await importRow(account.connectionId)).toMatchObject({ state: 'idle', nextImportAt: null });

    // Removing the holdings later, with "Also delete imported history": entries, streams and import go.
    const removed = await disconnect(account.userId, account.connectionId, {
      keepHoldings: false,
      deleteHistory: true,
    });
    expect(removed).toMatchObject({ ok: true, historyRemoved: kept.length });
    expect(await storedEntries(account.connectionId)).toEqual([]);
    expect(await streamRow(account.connectionId)).toBeUndefined();
    expect(await importRow(account.connectionId)).toBeUndefined();
  });

  it('the import function is cancelled by the disconnect event, one run per connection, on its own throttle', () => {
    const [config] = configOf(importHistoryFunction);
    const [syncConfig] = configOf(syncConnectionFunction);
    expect(config).toMatchObject({
      cancel: [{ event: 'connection/disconnected', if: 'event.data.connectionId == async.data.connectionId' }],
      concurrency: [{ key: 'event.data.connectionId', limit: 1 }],
    });
    expect((config!.throttle as { key: string }).key).not.toBe((syncConfig!.throttle as { key: string }).key);
  });
});

describe('schedule-history-imports', () => {
  it('starts the imports that are due, and only those', async () => {
    const due = await seedConnection(seeded.events.slice(0, 30));
    const notDue = await seedConnection(seeded.events.slice(0, 30));
    for (const [account, at] of [
      [due, new Date(Date.now() - 60_000)],
      [notDue, new Date(Date.now() + 600_000)],
    ] as const) {
      await ensureImportRow(getDb(), { ...account, exchangeId: 'kraken' }, 'queued');
      await getDb()
        .update(historyImports)
        .set({ state: 'succeeded', nextImportAt: at })
        .where(eq(historyImports.connectionId, account.connectionId));
    }
    const expected = await harnessEntries(due);

    const tick = await executor.tick('schedule-history-imports');
    await executor.settled();

    expect(tick).toMatchObject({ status: 'completed' });
    const started = executor.runsOf('import-history').map((run) => run.event.data.connectionId);
    expect(started).toContain(due.connectionId);
    expect(started).not.toContain(notDue.connectionId);
    expect(await storedLines(due.connectionId)).toEqual(expected);
    expect(await storedEntries(notDue.connectionId)).toEqual([]);
  });
});

describe('connect', () => {
  async function krakenAccount(events: SimHistoryEvent[]) {
    const apiKey = `connect-${randomBytes(8).toString('hex')}`;
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

  it('stores the balances at once, then the backfill imports the whole history', async () => {
    const userId = await createTestUser();
    const credentials = await krakenAccount(seeded.events);
    const connected = await connectExchange(userId, { exchangeId: 'kraken', credentials });
    expect(connected).toMatchObject({ ok: true });
    const connectionId = (connected as { connection: { id: string } }).connection.id;
    expect((await holdingLines(connectionId)).length).toBeGreaterThan(0);

    await executor.settled();
    expect(executor.runsOf('import-history')).toMatchObject([{ status: 'completed' }]);
    const expected = await harnessEntries({ userId, connectionId, ...credentials });
    expect(await storedLines(connectionId)).toEqual(expected);
    expect(await importRow(connectionId)).toMatchObject({ state: 'succeeded', completeHistory: true });
  });

  it('never fails because the import cannot be started: it is left due for the history scheduler', async () => {
    const userId = await createTestUser();
    const credentials = await krakenAccount(seeded.events.slice(0, 20));
    pointInngestAt(await refusingUrl());
    try {
      const connected = await connectExchange(userId, { exchangeId: 'kraken', credentials });
      expect(connected).toMatchObject({ ok: true });
      const connectionId = (connected as { connection: { id: string } }).connection.id;
      const row = await importRow(connectionId);
      expect(row).toMatchObject({ state: 'idle' });
      expect(row!.nextImportAt!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(await storedEntries(connectionId)).toEqual([]);
    } finally {
      pointInngestAt(executor.url);
    }
  });
});

describe('Add a market (Binance: markets are read one by one)', () => {
  it('adds the market as a manual stream and imports its trades; a market the exchange does not list is refused on the field', async () => {
    const userId = await createTestUser();
    const apiKey = `engine-binance-${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(24).toString('hex');
    // One trade in a market no balance, deposit or convert points at: only the user can name it.
    const trade: SimHistoryEvent = {
      kind: 'trade',
      id: 'manual-eth-btc',
      time: Date.now() - 5 * DAY,
      base: 'ETH',
      quote: 'BTC',
      side: 'buy',
      amount: '0.25',
      price: '0.05',
      fee: '0.00001',
      feeAsset: 'BTC',
    };
    sim.addAccount({ exchange: 'binance', apiKey, secret, wallets: { spot: {} }, history: [trade] });
    const connectionId = await createTestConnection({ userId, exchangeId: 'binance', credentials: { apiKey, secret } });
    // The backfill back to 2017 (~200 requests) as the strategy itself stores it, through the harness
    // with ccxt's throttle off; its streams and cursors become the connection's, as the engine keeps them.
    // (More than the history budget's default 120 requests a minute for this test: that budget is
    // tested in lib/limits/history-budget.db.test.ts.)
    vi.stubEnv('EXCHANGE_HISTORY_BUDGET_BINANCE', '10000/60');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const backfill = emptyHarnessState();
    await withExchangeClient('binance', { apiKey, secret }, { purpose: 'history', enableRateLimit: false }, (client) =>
      runHistoryImport(binanceHistory, client, backfill, { assets: [] }),
    );
    expect(backfill.entries.size).toBe(0);
    await ensureImportRow(getDb(), { connectionId, userId, exchangeId: 'binance' }, 'queued');
    await getDb()
      .insert(historyStreams)
      .values(
        [...backfill.streams].map(([stream, position]) => ({
          connectionId,
          userId,
          stream,
          cursor: position.cursor,
          backfilled: position.backfilled,
        })),
      );
    expect(await storedEntries(connectionId)).toEqual([]);

    expect(await addManualStream(userId, connectionId, 'DOGE/NOPE')).toEqual({
      ok: false,
      message: expect.stringMatching(/^Market: "DOGE\/NOPE" is not a market/),
      fieldErrors: { stream: expect.stringMatching(/^Market: /) },
    });
    executor.reset();
    sim.clearLog();
    expect(await addManualStream(userId, connectionId, 'eth/btc')).toEqual({
      ok: true,
      added: true,
      stream: 'trades:ETH/BTC',
    });
    await executor.settled();
    const runs = executor.runsOf('import-history');
    expect(runs.filter((run) => run.event.data.connectionId === connectionId)).toMatchObject([{ status: 'completed' }]);
    // The streams already backfilled cost a request or two each; the new market is read from its start.
    expect(sim.log({ apiKey }).length).toBeLessThan(20);

    expect(await streamRow(connectionId, 'trades:ETH/BTC')).toMatchObject({ source: 'manual', backfilled: true });
    const stored = await storedEntries(connectionId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'trade', asset: 'ETH', counterAsset: 'BTC', stream: 'trades:ETH/BTC' });
    expect(new D(stored[0]!.amount).toFixed()).toBe('0.25');
    expect((await getHistoryProgress(userId, connectionId))!.manualStreams).toEqual(['trades:ETH/BTC']);

    // Kraken's ledger holds every market: nothing to add there.
    const kraken = await seedConnection(seeded.events.slice(0, 5), userId);
    expect(await addManualStream(userId, kraken.connectionId, 'ETH/BTC')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/cannot be added by hand/),
    });
  });
});

describe('next dev without an Inngest dev server', () => {
  it('runs the import in this process instead, through the same engine', async () => {
    const account = await seedConnection(seeded.events.slice(0, 60));
    const expected = await harnessEntries(account);
    vi.stubEnv('NODE_ENV', 'development');
    pointInngestAt(await refusingUrl());
    try {
      const started = await startHistoryImport({
        connectionId: account.connectionId,
        userId: account.userId,
        exchangeId: 'kraken',
      });
      expect(started).toBe('inline');
    } finally {
      vi.unstubAllEnvs();
      pointInngestAt(executor.url);
    }
    expect(executor.runsOf('import-history')).toEqual([]);
    expect(await storedLines(account.connectionId)).toEqual(expected);
    expect(await importRow(account.connectionId)).toMatchObject({ state: 'succeeded' });
  });
});

describe('ownership', () => {
  it('refuses another user’s connection id everywhere', async () => {
    const account = await seedConnection();
    const stranger = await createTestUser();
    const theirs = { connectionId: account.connectionId, userId: stranger };
    expect(await beginHistoryImport(theirs)).toEqual({ status: 'stopped', message: null });
    expect(await importHistoryPage(theirs, { done: [], current: null })).toEqual({ status: 'stopped', message: null });
    expect(await getHistoryProgress(stranger, account.connectionId)).toBeNull();
    expect(await addManualStream(stranger, account.connectionId, 'BTC/USD')).toMatchObject({ ok: false });
    expect(ledgerRequests(account)).toHaveLength(0);
    expect(await storedEntries(account.connectionId)).toEqual([]);
    expect(await importRow(account.connectionId)).toBeUndefined();
  });
});
