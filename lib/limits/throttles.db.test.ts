// The limits on the work one user causes, through the functions the server actions call: Test
// connection and Connect per user and exchange, Sync now per connection, Sync all per user, the cap on
// connections, and the default sync interval. Real database, real ccxt against the simulator (which
// counts what actually went out); the clock is Date's, moved by vi.setSystemTime.
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, rateLimits, syncRuns } from '@/db/schema';
import { connectExchange } from '@/lib/connections/connect';
import { UNREACHABLE_MESSAGE } from '@/lib/connections/result';
import { syncAll, syncNow } from '@/lib/connections/sync-now';
import { testConnection } from '@/lib/connections/test-connection';
import { updateConnection } from '@/lib/connections/update';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import {
  binanceAccount,
  PROBE_AND_ONE_BINANCE_READ,
  pointInngestAt,
  refusingUrl,
  runsOf,
  startFakeEventApi,
  withKeyringAndEventApi,
} from '@/lib/testing/fixtures';
import { withSimulator } from '@/lib/testing/simulator';
import { connectionCapMessage } from './user-limits';

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
let eventApi: Awaited<ReturnType<typeof startFakeEventApi>>;
withKeyringAndEventApi((api) => (eventApi = api));

// One fake clock for the whole file, only ever moved forward: moving it back would put requests
// signed now behind those the simulator and ccxt's clients have already seen.
beforeAll(() => vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true }));
afterAll(() => vi.useRealTimers());
afterEach(async () => {
  for (const name of ['MAX_CONNECTIONS_PER_USER', 'SYNC_INTERVAL_SECONDS', 'LIMIT_CONNECTION_CHECKS']) {
    delete process.env[name];
  }
  await getDb().delete(rateLimits);
});

const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);
const TRY_AGAIN = /Try again in (\d+) s\.$/;

function secondsToWait(message: string): number {
  const match = TRY_AGAIN.exec(message);
  if (!match) throw new Error(`no "Try again in N s." in: ${message}`);
  return Number(match[1]);
}

describe('Test connection and Connect', () => {
  it('send exactly 10 checks per user and exchange when 20 run at once; the rest are told when to retry', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        testConnection(userId, { exchangeId: 'binance', credentials: account.credentials }),
      ),
    );
    expect(answers.filter((answer) => answer.ok)).toHaveLength(10);
    const refusals = answers.filter((answer) => !answer.ok);
    expect(refusals).toHaveLength(10);
    for (const refusal of refusals) {
      expect(refusal.message).toMatch(/^Too many API key checks on Binance in a short time\. Try again in \d+ s\.$/);
      expect(secondsToWait(refusal.message)).toBeGreaterThan(590);
      expect(secondsToWait(refusal.message)).toBeLessThanOrEqual(600);
    }
    // Counted at the exchange: ten probes and balance reads, nothing of the other ten.
    expect(account.requests()).toHaveLength(10 * PROBE_AND_ONE_BINANCE_READ.length);

    // Connect draws from the same count: the key cannot be tried through the other button either.
    const connect = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(connect).toMatchObject({ ok: false, message: expect.stringMatching(TRY_AGAIN) });
    // And so does Update keys, which tries the new key on the exchange too.
    const existing = await createTestConnection({ userId });
    const update = await updateConnection(userId, existing, { credentials: account.credentials });
    expect(update).toMatchObject({ ok: false, message: expect.stringMatching(TRY_AGAIN) });
    expect(account.requests()).toHaveLength(10 * PROBE_AND_ONE_BINANCE_READ.length);

    // Another user is not held back by this one.
    expect(
      await testConnection(await createTestUser(), { exchangeId: 'binance', credentials: account.credentials }),
    ).toMatchObject({ ok: true });

    later(601);
    expect(await testConnection(userId, { exchangeId: 'binance', credentials: account.credentials })).toMatchObject({
      ok: true,
    });
  });

  it('limit checks per user across exchanges too', async () => {
    process.env.LIMIT_CONNECTION_CHECKS = '2/3600';
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const check = () => testConnection(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(await check()).toMatchObject({ ok: true });
    expect(await check()).toMatchObject({ ok: true });
    const refused = await check();
    expect(refused).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Too many API key checks in a short time\. /),
    });
    // Refused before the exchange: KuCoin's counter is untouched, the user's is spent.
    const kucoin = await testConnection(userId, {
      exchangeId: 'kucoin',
      credentials: { apiKey: 'k', secret: 's', password: 'p' },
    });
    expect(kucoin).toMatchObject({ ok: false, message: expect.stringMatching(TRY_AGAIN) });
    expect(account.requests()).toHaveLength(2 * PROBE_AND_ONE_BINANCE_READ.length);
  });

  it('do not count input refused before any exchange call', async () => {
    const userId = await createTestUser();
    for (let i = 0; i < 12; i++) {
      const answer = await testConnection(userId, { exchangeId: 'binance', credentials: { apiKey: '', secret: '' } });
      expect(answer).toMatchObject({ ok: false, message: 'Check the highlighted fields.' });
    }
    const account = binanceAccount(sim);
    expect(await testConnection(userId, { exchangeId: 'binance', credentials: account.credentials })).toMatchObject({
      ok: true,
    });
  });
});

describe('the cap on connections', () => {
  it('refuses a 51st connection by default, before calling the exchange', async () => {
    const userId = await createTestUser();
    for (let i = 0; i < 50; i++) await createTestConnection({ userId });
    const account = binanceAccount(sim);
    const answer = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(answer).toEqual({ ok: false, message: connectionCapMessage(50) });
    expect(account.requests()).toEqual([]);

    // A disconnected connection no longer counts.
    const [one] = await getDb()
      .select({ id: exchangeConnections.id })
      .from(exchangeConnections)
      .where(eq(exchangeConnections.userId, userId))
      .limit(1);
    await getDb()
      .update(exchangeConnections)
      .set({ disconnectedAt: new Date(), status: 'disabled' })
      .where(eq(exchangeConnections.id, one!.id));
    expect(await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials })).toMatchObject({
      ok: true,
    });
  });

  it('holds when connects race: with MAX_CONNECTIONS_PER_USER=2, four at once leave two connections', async () => {
    process.env.MAX_CONNECTIONS_PER_USER = '2';
    const userId = await createTestUser();
    const accounts = Array.from({ length: 4 }, () => binanceAccount(sim));
    const answers = await Promise.all(
      accounts.map((account) => connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials })),
    );
    expect(answers.filter((answer) => answer.ok)).toHaveLength(2);
    for (const answer of answers.filter((a) => !a.ok))
      expect(answer).toEqual({ ok: false, message: connectionCapMessage(2) });
    const rows = await getDb()
      .select({ id: exchangeConnections.id })
      .from(exchangeConnections)
      .where(eq(exchangeConnections.userId, userId));
    expect(rows).toHaveLength(2);
  });

  it('gives new connections the interval SYNC_INTERVAL_SECONDS names', async () => {
    process.env.SYNC_INTERVAL_SECONDS = '900';
    const userId = await createTestUser();
    const answer = await connectExchange(userId, {
      exchangeId: 'binance',
      credentials: binanceAccount(sim).credentials,
    });
    if (!answer.ok) throw new Error(answer.message);
    const [row] = await getDb()
      .select({ interval: exchangeConnections.syncIntervalSeconds, next: exchangeConnections.nextSyncAt })
      .from(exchangeConnections)
      .where(eq(exchangeConnections.id, answer.connection.id));
    expect(row?.interval).toBe(900);
    expect(row!.next!.getTime() - Date.now()).toBeGreaterThan(890_000);
  });
});

/**
 * Runs whose sync events were sent. A press on a run queued for a while sends its event again (see
 * syncNow); this file's clock runs ahead of the database's, so that can happen here at any time.
 */
const runsSent = () => [...new Set(eventApi.events.map((event) => String(event.data.runId)))];

/** Ends a connection's pending run, as a finished sync does, so Sync now may start another. */
async function finishRuns(connectionId: string) {
  await getDb()
    .update(syncRuns)
    .set({ status: 'succeeded', finishedAt: new Date() })
    .where(eq(syncRuns.connectionId, connectionId));
}

describe('Sync now', () => {
  it('starts one run per connection per 30 s; a refused press leaves no run behind', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const other = await createTestConnection({ userId });

    expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: true } });
    // While that run is pending, pressing again returns it and costs nothing.
    expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: false } });
    await finishRuns(connectionId);
    later(5);

    const refused = await syncNow(userId, connectionId);
    expect(refused).toEqual({
      ok: false,
      message: expect.stringMatching(/^This connection was synced on request a moment ago\. Try again in \d+ s\.$/),
    });
    if (refused.ok) return;
    expect(secondsToWait(refused.message)).toBeGreaterThan(20);
    expect(secondsToWait(refused.message)).toBeLessThanOrEqual(25);
    expect((await runsOf(connectionId)).filter((run) => run.status === 'queued')).toEqual([]);
    expect(runsSent()).toHaveLength(1);
    // The limit is per connection.
    expect(await syncNow(userId, other)).toMatchObject({ ok: true, run: { created: true } });

    later(26);
    expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: true } });
  });

  it('does not count a press whose event could not be sent', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    pointInngestAt(await refusingUrl());
    expect(await syncNow(userId, connectionId)).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });
    pointInngestAt(eventApi.url);
    expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: true } });
  });

  it('starts exactly one run when 10 presses arrive at once, and none in the same window after it finished', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const answers = await Promise.all(Array.from({ length: 10 }, () => syncNow(userId, connectionId)));
    expect(answers.filter((answer) => answer.ok && answer.run.created)).toHaveLength(1);
    for (const answer of answers) {
      if (!answer.ok) expect(answer.message).toMatch(TRY_AGAIN);
    }
    await finishRuns(connectionId);
    const again = await Promise.all(Array.from({ length: 10 }, () => syncNow(userId, connectionId)));
    expect(again.filter((answer) => answer.ok)).toEqual([]);
    expect(runsSent()).toHaveLength(1);
    expect((await runsOf(connectionId)).map((run) => run.status)).toEqual(['succeeded']);
  });
});

describe('Sync all', () => {
  it('is accepted once a minute per user', async () => {
    const userId = await createTestUser();
    await createTestConnection({ userId });
    expect(await syncAll(userId)).toEqual({ ok: true, connections: 1 });
    later(10);
    const refused = await syncAll(userId);
    expect(refused).toEqual({
      ok: false,
      message: expect.stringMatching(/^Sync all was started a moment ago\. Try again in \d+ s\.$/),
    });
    if (refused.ok) return;
    expect(secondsToWait(refused.message)).toBeGreaterThan(45);
    expect(secondsToWait(refused.message)).toBeLessThanOrEqual(50);
    expect(eventApi.events).toHaveLength(1);

    later(51);
    expect(await syncAll(userId)).toEqual({ ok: true, connections: 1 });
    expect(eventApi.events).toHaveLength(2);
  });

  it('does not count a press whose event could not be sent', async () => {
    const userId = await createTestUser();
    await createTestConnection({ userId });
    pointInngestAt(await refusingUrl());
    expect(await syncAll(userId)).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });
    pointInngestAt(eventApi.url);
    expect(await syncAll(userId)).toEqual({ ok: true, connections: 1 });
  });
});
