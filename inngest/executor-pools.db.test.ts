// The test executor gives each function its own pool of runs, as Inngest gives each function its own
// concurrency: a history import holding every slot of import-history never holds back a sync. With one
// pool for all functions, a Connect's backfill queued the browser tests' Sync now for over 20 s.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { inngest } from '@/lib/jobs/client';
import { historyImportRequested, syncRequestFor } from '@/lib/jobs/events';
import { enqueueRun } from '@/lib/sync/runs';
import { withTestDatabase } from '@/lib/testing/database';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { seedHistory } from '@/lib/testing/history-seed';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;

beforeAll(async () => {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
  // One run at a time of each function.
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route'), concurrency: 1 });
});
afterAll(async () => {
  await executor?.close();
  setKeyring(undefined);
});

async function krakenConnection(userId: string, history: ReturnType<typeof seedHistory>['events'] = []) {
  const apiKey = `pools-${randomBytes(8).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  sim.addAccount({ exchange: 'kraken', apiKey, secret, wallets: { spot: { XXBT: { free: '1', used: '0' } } }, history });
  const connectionId = await createTestConnection({
    userId,
    exchangeId: 'kraken',
    credentials: { apiKey, secret },
    values: { nextSyncAt: new Date(Date.now() + 3_600_000) },
  });
  return { connectionId, apiKey };
}

it('a sync runs to its end while a history import holds the only slot of its own function', async () => {
  const userId = await createTestUser();
  const { events } = seedHistory({
    seed: 7,
    count: 10,
    from: Date.UTC(2025, 0, 1),
    to: Date.now() - 86_400_000,
    quote: 'USD',
    bases: ['BTC'],
    kinds: ['reward'],
    idPrefix: `pools-${randomBytes(4).toString('hex')}`,
  });
  const importing = await krakenConnection(userId, events);
  const syncing = await krakenConnection(userId);
  // The import's first ledger page answers after 10 s (within the client's 30 s timeout): its run holds
  // import-history's one slot until then.
  sim.addFault(importing.apiKey, { kind: 'delay', delayMs: 10_000, pathIncludes: '/Ledgers', remaining: 1 });

  await inngest.send(
    historyImportRequested.create({ connectionId: importing.connectionId, userId, exchangeId: 'kraken' }),
  );
  await vi.waitFor(() => expect(executor.runsOf('import-history')[0]?.status).toBe('running'));
  const run = await enqueueRun({ connectionId: syncing.connectionId, userId, trigger: 'manual' });
  await inngest.send(syncRequestFor({ connectionId: syncing.connectionId, runId: run.runId, exchangeId: 'kraken' }));

  // Waited for no longer than the import's page is held up, so a sync queued behind it fails here.
  await vi.waitFor(() => expect(executor.runsOf('sync-connection')[0]?.status).toBe('completed'), {
    timeout: 9_000,
    interval: 50,
  });
  expect(executor.runsOf('import-history')[0]?.status).toBe('running');

  await executor.settled();
  expect(executor.runsOf('import-history').map((r) => r.status)).toEqual(['completed']);
});
