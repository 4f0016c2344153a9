import { randomBytes, randomUUID } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { syncRuns } from '@/db/schema';
import { syncNow } from '@/lib/connections/sync-now';
import { INNGEST_DEV_REFUSED } from '@/lib/jobs/dev-mode';
import { logger } from '@/lib/log';
import { STALE_UNSENT_AFTER_MS, UNSENT_RUN_MESSAGE } from '@/lib/sync/runs';
import { withTestDatabase } from '@/lib/testing/database';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { pointInngestAt, runRow, startFakeEventApi } from '@/lib/testing/fixtures';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';

// Issue 12: with INNGEST_DEV=1 in production, an anonymous POST to /api/inngest ran `sync-all` for
// another user's id; the runs it queued were never started (nobody sent their events) and blocked that
// user's syncs until the 24-hour clean-up. The real route handler, driven the way an attacker would.

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;
let route!: Record<'GET' | 'POST' | 'PUT', (request: Request) => Promise<Response>>;

beforeAll(async () => {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route') });
  route = (await import('@/app/api/inngest/route')) as unknown as typeof route;
});
afterAll(async () => {
  await executor?.close();
  setKeyring(undefined);
});
beforeEach(() => executor.reset());

const MINUTE = 60_000;

/** A user with two Binance connections (simulator accounts behind them), none due. */
async function victim() {
  const userId = await createTestUser();
  const connectionIds = await Promise.all(
    [0, 1].map(async () => {
      const apiKey = `victim-${randomBytes(8).toString('hex')}`;
      const secret = randomBytes(24).toString('hex');
      sim.addAccount({ exchange: 'binance', apiKey, secret, wallets: { spot: { BTC: { free: '1', used: '0' } } } });
      return createTestConnection({
        userId,
        credentials: { apiKey, secret },
        values: { nextSyncAt: new Date(Date.now() + 3_600_000) },
      });
    }),
  );
  return { userId, connectionIds };
}

/** What anyone can send: Inngest's execution request for a function, first step, no signature. */
function anonymousRun(functionId: string, event: { name: string; data: object }) {
  const body = {
    version: 2,
    event: { id: randomUUID(), ts: Date.now(), ...event },
    events: [{ id: randomUUID(), ts: Date.now(), ...event }],
    steps: {},
    ctx: { run_id: randomUUID(), attempt: 0, max_attempts: 4, use_api: false, stack: { stack: [], current: 0 } },
  };
  return new Request(`http://127.0.0.1/api/inngest?fnId=coinsphere-${functionId}&stepId=step`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const pendingRunsOf = (connectionIds: string[]) =>
  getDb()
    .select({ id: syncRuns.id, status: syncRuns.status, eventId: syncRuns.eventId })
    .from(syncRuns)
    .where(inArray(syncRuns.connectionId, connectionIds));

/** Moves the runs' queued_at into the past, as if the clean-up ran that much later. */
async function age(runIds: string[], ms: number) {
  if (runIds.length === 0) return;
  await getDb()
    .update(syncRuns)
    .set({ queuedAt: sql`${syncRuns.queuedAt} - ${`${ms} milliseconds`}::interval` })
    .where(inArray(syncRuns.id, runIds));
}

describe('/api/inngest in production', () => {
  const previous = { NODE_ENV: process.env.NODE_ENV, ALLOW_INNGEST_DEV: process.env.ALLOW_INNGEST_DEV };
  beforeEach(() => {
    (process.env as Record<string, string>).NODE_ENV = 'production';
    delete process.env.ALLOW_INNGEST_DEV;
  });
  afterEach(() => {
    (process.env as Record<string, string | undefined>).NODE_ENV = previous.NODE_ENV;
    if (previous.ALLOW_INNGEST_DEV === undefined) delete process.env.ALLOW_INNGEST_DEV;
    else process.env.ALLOW_INNGEST_DEV = previous.ALLOW_INNGEST_DEV;
  });

  it('refuses an anonymous request in dev mode: no run queued for the victim, no rotation, no sync', async () => {
    const { userId, connectionIds } = await victim();
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
    let calls: unknown[][] = [];
    try {
      for (const request of [
        anonymousRun('sync-all', { name: 'user/sync-all.requested', data: { userId } }),
        anonymousRun('rotate-credentials', { name: 'vault/credentials.rotation.requested', data: {} }),
      ]) {
        const response = await route.POST(request);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({
          error: 'Background jobs are disabled on this server: it is misconfigured (see its log).',
        });
      }
      expect((await route.PUT(new Request('http://127.0.0.1/api/inngest', { method: 'PUT' }))).status).toBe(503);
      expect((await route.GET(new Request('http://127.0.0.1/api/inngest'))).status).toBe(503);
    } finally {
      calls = [...logged.mock.calls];
      logged.mockRestore();
    }
    expect(await pendingRunsOf(connectionIds)).toEqual([]);
    expect(calls).toEqual([[`refusing requests to /api/inngest: ${INNGEST_DEV_REFUSED}`]]);
  });

  it('serves it when the operator allows dev mode explicitly (ALLOW_INNGEST_DEV=1)', async () => {
    process.env.ALLOW_INNGEST_DEV = '1';
    const { userId, connectionIds } = await victim();
    const response = await route.POST(anonymousRun('sync-all', { name: 'user/sync-all.requested', data: { userId } }));
    expect(response.status).toBe(206);
    expect(await pendingRunsOf(connectionIds)).toHaveLength(2);
  });
});

describe('a queued run whose event never reached Inngest', () => {
  it('is released by clean-stale-syncs within minutes; a run Inngest accepted (throttled) is left alone', async () => {
    // Outside production (as under `npm run dev`), the forged request runs sync-all's first step: the
    // victim's runs are queued, and the forger never sends their events.
    const target = await victim();
    const forged = await route.POST(
      anonymousRun('sync-all', { name: 'user/sync-all.requested', data: { userId: target.userId } }),
    );
    expect(forged.status).toBe(206);
    const orphans = await pendingRunsOf(target.connectionIds);
    expect(orphans).toEqual([
      expect.objectContaining({ status: 'queued', eventId: null }),
      expect.objectContaining({ status: 'queued', eventId: null }),
    ]);

    // Another user's Sync now, accepted by an Inngest that holds it in its throttle queue (an event API
    // that answers ids and runs nothing).
    const throttledUser = await victim();
    const throttlingInngest = await startFakeEventApi();
    pointInngestAt(throttlingInngest.url);
    const pressed = await syncNow(throttledUser.userId, throttledUser.connectionIds[0]!);
    await throttlingInngest.close();
    pointInngestAt(executor.url);
    expect(pressed).toMatchObject({ ok: true, run: { created: true } });
    const throttledRunId = pressed.ok ? pressed.run.id : '';
    expect((await runRow(throttledRunId)).eventId).toEqual(expect.any(String));

    const runIds = [...orphans.map((run) => run.id), throttledRunId];
    // A minute on, nothing is released: a sender records Inngest's answer within seconds, not minutes.
    await age(runIds, MINUTE);
    expect((await executor.tick('clean-stale-syncs')).output).toEqual({ unsent: 0, stale: 0 });

    await age(runIds, STALE_UNSENT_AFTER_MS);
    expect((await executor.tick('clean-stale-syncs')).output).toEqual({ unsent: 2, stale: 0 });
    for (const orphan of orphans) {
      expect(await runRow(orphan.id)).toMatchObject({ status: 'stale', errorKind: 'stale', error: UNSENT_RUN_MESSAGE });
    }
    expect(await runRow(throttledRunId)).toMatchObject({ status: 'queued', error: null });

    // The victim's connections sync again at once, through the real chain.
    const again = await syncNow(target.userId, target.connectionIds[0]!);
    expect(again).toMatchObject({ ok: true, run: { created: true } });
    await executor.settled();
    expect(await runRow(again.ok ? again.run.id : '')).toMatchObject({ status: 'succeeded' });
  });
});
