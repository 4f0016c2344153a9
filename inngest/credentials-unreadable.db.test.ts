import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, exchangeCredentials, syncRuns, users } from '@/db/schema';
import { inngest } from '@/lib/jobs/client';
import { syncRequestFor } from '@/lib/jobs/events';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import { CREDENTIALS_UNREADABLE_MESSAGE } from '@/lib/sync/failure-kinds';
import { enqueueRun } from '@/lib/sync/runs';
import { withTestDatabase } from '@/lib/testing/database';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { insertCredentials } from '@/lib/vault/store';

// Credentials that no longer decrypt, through the real chain: the event to the in-repo executor, the
// /api/inngest route, the sync-connection function, the sync core and the vault.

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;

const ORIGINAL_KEY = `k1:${randomBytes(32).toString('base64')}`;

beforeAll(async () => {
  setKeyring(parseKeyring(ORIGINAL_KEY));
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route') });
});
afterAll(async () => {
  await executor?.close();
  setKeyring(undefined);
});
beforeEach(() => {
  setKeyring(parseKeyring(ORIGINAL_KEY));
  executor.reset();
});

async function seedConnection() {
  const [user] = await getDb()
    .insert(users)
    .values({ email: `unreadable-${randomUUID()}@example.com`, passwordHash: 'x' })
    .returning({ id: users.id });
  const userId = user!.id;
  const connectionId = randomUUID();
  const apiKey = `unreadable-${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(24).toString('hex');
  await getDb().transaction(async (tx) => {
    const portfolioId = await ensureDefaultPortfolio(tx, userId);
    await tx.insert(exchangeConnections).values({
      id: connectionId,
      userId,
      portfolioId,
      exchangeId: 'binance',
      label: `Binance ${apiKey.slice(-4)}`,
      nextSyncAt: new Date(Date.now() + 3_600_000),
    });
    await insertCredentials(tx, { connectionId, userId, exchangeId: 'binance' }, { apiKey, secret });
  });
  sim.addAccount({ exchange: 'binance', apiKey, secret, wallets: { spot: { BTC: { free: '1', used: '0' } } } });
  return { userId, connectionId, apiKey, secret };
}

async function syncNow(seeded: { userId: string; connectionId: string }) {
  const run = await enqueueRun({ connectionId: seeded.connectionId, userId: seeded.userId, trigger: 'manual' });
  await inngest.send(syncRequestFor({ connectionId: seeded.connectionId, runId: run.runId, exchangeId: 'binance' }));
  await executor.settled();
  return run.runId;
}

async function expectFailedOnceWithoutRetry(seeded: Awaited<ReturnType<typeof seedConnection>>, runId: string) {
  const runs = executor.runsOf('sync-connection');
  expect(runs.map((run) => run.ops)).toStrictEqual([['Failed']]);
  expect(runs[0]!.error).toMatchObject({ name: 'NonRetriableError', message: CREDENTIALS_UNREADABLE_MESSAGE });
  expect(executor.runsOf('sync-connection-failure')).toMatchObject([
    { status: 'completed', output: { runId, kind: 'credentials_unreadable' } },
  ]);
  expect(sim.log({ apiKey: seeded.apiKey })).toHaveLength(0);

  const [run] = await getDb().select().from(syncRuns).where(eq(syncRuns.id, runId));
  expect(run).toMatchObject({
    status: 'failed',
    attempts: 1,
    errorKind: 'credentials_unreadable',
    error: CREDENTIALS_UNREADABLE_MESSAGE,
  });
  const [connection] = await getDb()
    .select()
    .from(exchangeConnections)
    .where(eq(exchangeConnections.id, seeded.connectionId));
  expect(connection).toMatchObject({ status: 'needs_reauth', lastError: CREDENTIALS_UNREADABLE_MESSAGE });

  const [stored] = await getDb()
    .select({ ciphertext: exchangeCredentials.ciphertext })
    .from(exchangeCredentials)
    .where(eq(exchangeCredentials.connectionId, seeded.connectionId));
  const everythingInngestSaw = JSON.stringify([executor.events, executor.runs]);
  for (const secret of [seeded.apiKey, seeded.secret, stored!.ciphertext]) {
    expect(everythingInngestSaw).not.toContain(secret);
  }
}

describe('sync-connection with credentials that no longer decrypt', () => {
  it('a tampered ciphertext: one attempt, NonRetriableError, onFailure; the connection needs new keys', async () => {
    const seeded = await seedConnection();
    await getDb()
      .update(exchangeCredentials)
      .set({ ciphertext: sql`overlay(ciphertext placing 'AAAA' from length(ciphertext) - 12)` })
      .where(eq(exchangeCredentials.connectionId, seeded.connectionId));
    const runId = await syncNow(seeded);
    await expectFailedOnceWithoutRetry(seeded, runId);
  });

  it('its key removed from the keyring: the same', async () => {
    const seeded = await seedConnection();
    setKeyring(parseKeyring(`k2:${randomBytes(32).toString('base64')}`));
    const runId = await syncNow(seeded);
    await expectFailedOnceWithoutRetry(seeded, runId);
  });
});
