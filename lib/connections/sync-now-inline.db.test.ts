// Sync now and Sync all when no Inngest dev server answers: in development they run the sync in the app's
// process (real ccxt against the simulator); in production they never do and the user is told Inngest is
// unreachable. The browser side (the notice, "Scheduled syncs paused", `next dev`) is e2e/dev-offline.spec.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { syncRuns } from '@/db/schema';
import { STALE_RUNNING_AFTER_MS } from '@/lib/sync/runs';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import {
  binanceAccount,
  holdingLines,
  pointInngestAt,
  refusingUrl,
  runRow,
  runsOf,
  withKeyringAndEventApi,
} from '@/lib/testing/fixtures';
import { withSimulator } from '@/lib/testing/simulator';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimAccount } from '@/lib/testing/exchange-simulator/types';
import { forgetDevServerProbe } from '@/lib/jobs/availability';
import { inngest } from '@/lib/jobs/client';
import { getSyncStatus } from './status';
import { UNREACHABLE_MESSAGE } from './result';
import { syncAll, syncNow } from './sync-now';

withTestDatabase({ isolated: true });
let eventApi: { events: unknown[]; url: string };
withKeyringAndEventApi((api) => (eventApi = api));
let sim: ExchangeSimulator;
withSimulator((simulator) => (sim = simulator));

async function simConnection(
  userId: string,
  wallets: SimAccount['wallets'] = { spot: { BTC: { free: '1.5', used: '0' } } },
) {
  const account = binanceAccount(sim, { wallets });
  const connectionId = await createTestConnection({ userId, credentials: account.credentials });
  return { connectionId, account };
}

beforeEach(async () => {
  // No Inngest dev server: its URL refuses connections.
  pointInngestAt(await refusingUrl());
  forgetDevServerProbe();
});
afterEach(() => {
  vi.unstubAllEnvs();
  forgetDevServerProbe();
});

describe('development without an Inngest dev server', () => {
  beforeEach(() => {
    vi.stubEnv('NODE_ENV', 'development');
  });

  it('Sync now reads the exchange and saves the balances in this process, and the status says scheduled syncs are paused', async () => {
    const userId = await createTestUser();
    const { connectionId, account } = await simConnection(userId);

    const result = await syncNow(userId, connectionId);

    expect(result).toMatchObject({ ok: true, run: { created: true } });
    expect(await holdingLines(connectionId)).toEqual(['spot:BTC=1.5']);
    expect(await runsOf(connectionId)).toEqual([
      expect.objectContaining({ trigger: 'manual', status: 'succeeded', finishedAt: expect.any(Date) }),
    ]);
    expect(account.requests()).toContain('GET /api/v3/account');
    expect(eventApi.events).toEqual([]);
    expect((await getSyncStatus(userId)).jobs).toEqual({ mode: 'inline', scheduledSyncsPaused: true });
  });

  it('Sync all runs every connection that can sync, once each', async () => {
    const userId = await createTestUser();
    const first = await simConnection(userId, { spot: { BTC: { free: '2', used: '0' } } });
    const second = await simConnection(userId, { spot: { ETH: { free: '7', used: '0' } } });

    expect(await syncAll(userId)).toEqual({ ok: true, connections: 2 });

    expect(await holdingLines(first.connectionId)).toEqual(['spot:BTC=2']);
    expect(await holdingLines(second.connectionId)).toEqual(['spot:ETH=7']);
    for (const { connectionId } of [first, second]) {
      expect(await runsOf(connectionId)).toEqual([
        expect.objectContaining({ trigger: 'sync_all', status: 'succeeded' }),
      ]);
    }
  });

  it('ends a run that would be retried as failed (nobody retries it), so the next Sync now can start', async () => {
    const userId = await createTestUser();
    const { connectionId, account } = await simConnection(userId);
    sim.addFault(account.apiKey, { kind: 'unavailable', remaining: 1 });

    vi.stubEnv('LIMIT_SYNC_NOW', '100/30');

    expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: true } });
    expect(await runsOf(connectionId)).toEqual([expect.objectContaining({ status: 'failed', errorKind: 'transient' })]);

    expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: true } });
    expect((await runsOf(connectionId)).map((run) => run.status).sort()).toEqual(['failed', 'succeeded']);
    expect(await holdingLines(connectionId)).toEqual(['spot:BTC=1.5']);
  });

  it('releases a run a stopped dev server left running (no clean-up job runs without Inngest), then syncs', async () => {
    const userId = await createTestUser();
    const { connectionId } = await simConnection(userId);
    const [abandoned] = await getDb()
      .insert(syncRuns)
      .values({
        connectionId,
        userId,
        trigger: 'manual',
        status: 'running',
        queuedAt: new Date(Date.now() - STALE_RUNNING_AFTER_MS - 120_000),
        startedAt: new Date(Date.now() - STALE_RUNNING_AFTER_MS - 60_000),
      })
      .returning({ id: syncRuns.id });

    const result = await syncNow(userId, connectionId);

    expect(result).toMatchObject({ ok: true, run: { created: true } });
    expect(await runRow(abandoned!.id)).toMatchObject({ status: 'stale' });
    expect(await holdingLines(connectionId)).toEqual(['spot:BTC=1.5']);
  });
});

describe('production never runs syncs in its own process', () => {
  it('keeps the clear error when Inngest cannot be reached, in dev mode (allowed) or cloud mode', async () => {
    const userId = await createTestUser();
    const { connectionId, account } = await simConnection(userId);
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('ALLOW_INNGEST_DEV', '1');

    expect(await syncNow(userId, connectionId)).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });
    expect(await syncAll(userId)).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });

    expect(await runsOf(connectionId)).toEqual([]);
    expect(await holdingLines(connectionId)).toEqual([]);
    expect(account.requests()).toEqual([]);
    expect((await getSyncStatus(userId)).jobs).toEqual({ mode: 'background', scheduledSyncsPaused: false });

    // Cloud mode without Inngest's keys: the same refusal, and scheduled syncs are said to be paused.
    vi.stubEnv('INNGEST_DEV', '0');
    inngest.setEnvVars();
    expect(await syncNow(userId, connectionId)).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });
    expect(await runsOf(connectionId)).toEqual([]);
    expect(account.requests()).toEqual([]);
    expect((await getSyncStatus(userId)).jobs).toEqual({ mode: 'unconfigured', scheduledSyncsPaused: true });
  });
});
