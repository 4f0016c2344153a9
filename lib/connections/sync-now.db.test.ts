import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { UNREACHABLE_MESSAGE } from './result';
import { RESEND_QUEUED_AFTER_MS } from './schemas';
import { NEEDS_REAUTH_MESSAGE, DISCONNECTED_MESSAGE, syncAll, syncNow } from './sync-now';
import {
  pointInngestAt,
  refusingUrl,
  runsOf,
  startFakeEventApi,
  startSilentServer,
  withKeyringAndEventApi,
} from '@/lib/testing/fixtures';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';

withTestDatabase({ isolated: true });

let eventApi: Awaited<ReturnType<typeof startFakeEventApi>>;
const silentServers: Array<{ close: () => Promise<void> }> = [];
async function silentUrl(): Promise<string> {
  const server = await startSilentServer();
  silentServers.push(server);
  return server.url;
}
withKeyringAndEventApi((api) => (eventApi = api));
afterAll(async () => {
  await Promise.all(silentServers.map((server) => server.close()));
});

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('syncNow', () => {
  it('queues a manual run and sends its event; pressing again returns the pending run and sends nothing', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });

    const first = await syncNow(userId, connectionId);
    expect(first).toMatchObject({ ok: true, run: { created: true } });
    if (!first.ok) return;
    expect(eventApi.events).toEqual([
      expect.objectContaining({
        name: 'connection/sync.requested',
        data: { connectionId, runId: first.run.id, exchangeId: 'binance' },
        id: `sync-${first.run.id}`,
      }),
    ]);
    expect(await runsOf(connectionId)).toEqual([
      expect.objectContaining({ id: first.run.id, trigger: 'manual', status: 'queued' }),
    ]);

    const second = await syncNow(userId, connectionId);
    expect(second).toEqual({ ok: true, run: { id: first.run.id, created: false } });
    expect(eventApi.events).toHaveLength(1);
    expect(await runsOf(connectionId)).toHaveLength(1);
  });

  it('sends a run that stayed queued for over 10 s again, under a new event id (its first event may have been skipped)', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId });
    const first = await syncNow(userId, connectionId);
    if (!first.ok) throw new Error(first.message);
    await getDb()
      .update(syncRuns)
      .set({ queuedAt: new Date(Date.now() - RESEND_QUEUED_AFTER_MS - 1_000) })
      .where(eq(syncRuns.id, first.run.id));

    expect(await syncNow(userId, connectionId)).toEqual({ ok: true, run: { id: first.run.id, created: false } });
    expect(eventApi.events).toHaveLength(2);
    expect(eventApi.events[1]).toMatchObject({ data: { connectionId, runId: first.run.id } });
    expect(eventApi.events[1]!.id).not.toBe(eventApi.events[0]!.id);
    expect(await runsOf(connectionId)).toHaveLength(1);
  });

  it('refuses a connection whose key was rejected, one that was disconnected, and one still rate limited', async () => {
    const userId = await createTestUser();
    const reauth = await createTestConnection({ userId, values: { status: 'needs_reauth' } });
    const gone = await createTestConnection({ userId, values: { status: 'disabled', disconnectedAt: new Date() } });
    const limited = await createTestConnection({
      userId,
      values: {
        status: 'rate_limited',
        blockedUntil: new Date(Date.now() + 5 * 60_000),
      },
    });
    expect(await syncNow(userId, reauth)).toEqual({ ok: false, message: NEEDS_REAUTH_MESSAGE });
    expect(NEEDS_REAUTH_MESSAGE).toMatch(/^Credentials need updating/);
    expect(await syncNow(userId, gone)).toEqual({ ok: false, message: DISCONNECTED_MESSAGE });
    expect(await syncNow(userId, limited)).toEqual({
      ok: false,
      message: 'The exchange is limiting requests. Try again in 5 minutes.',
    });
    expect(eventApi.events).toEqual([]);
    for (const id of [reauth, gone, limited]) expect(await runsOf(id)).toEqual([]);
  });

  it('answers "not found" for another user’s connection and for an id that is not one', async () => {
    const connectionId = await createTestConnection({ userId: await createTestUser() });
    const stranger = await createTestUser();
    expect(await syncNow(stranger, connectionId)).toEqual({ ok: false, message: 'Connection not found.' });
    expect(await syncNow(stranger, 'not-a-uuid')).toEqual({ ok: false, message: 'Connection not found.' });
    expect(await runsOf(connectionId)).toEqual([]);
    expect(eventApi.events).toEqual([]);
  });

  it.each([
    ['refuses connections', refusingUrl],
    ['accepts connections and never answers', silentUrl],
  ])(
    'answers within 3 s and leaves no queued run when the event API %s',
    async (_case, unreachable) => {
      const userId = await createTestUser();
      const connectionId = await createTestConnection({ userId });
      pointInngestAt(await unreachable());

      const { result, ms } = await timed(() => syncNow(userId, connectionId));
      expect(result).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });
      expect(ms).toBeLessThan(3_500);
      expect(await runsOf(connectionId)).toEqual([]);

      // Once Inngest is back, Sync now works again: nothing was left to block it.
      pointInngestAt(eventApi.url);
      expect(await syncNow(userId, connectionId)).toMatchObject({ ok: true, run: { created: true } });
    },
    10_000,
  );
});

describe('syncAll', () => {
  it('sends one event for the user and counts the connections that can sync', async () => {
    const userId = await createTestUser();
    await createTestConnection({ userId });
    await createTestConnection({ userId, values: { status: 'error' } });
    await createTestConnection({ userId, values: { status: 'rate_limited' } });
    await createTestConnection({ userId, values: { status: 'needs_reauth' } });
    await createTestConnection({ userId, values: { status: 'disabled', disconnectedAt: new Date() } });
    await createTestConnection({ userId: await createTestUser() });

    expect(await syncAll(userId)).toEqual({ ok: true, connections: 3 });
    expect(eventApi.events).toEqual([expect.objectContaining({ name: 'user/sync-all.requested', data: { userId } })]);
  });

  it('sends nothing when no connection can sync', async () => {
    const userId = await createTestUser();
    await createTestConnection({ userId, values: { status: 'needs_reauth' } });
    expect(await syncAll(userId)).toEqual({ ok: true, connections: 0 });
    expect(eventApi.events).toEqual([]);
  });

  it('says so within 3 s when the event API cannot be reached', async () => {
    const userId = await createTestUser();
    await createTestConnection({ userId });
    pointInngestAt(await refusingUrl());
    const { result, ms } = await timed(() => syncAll(userId));
    expect(result).toEqual({ ok: false, message: UNREACHABLE_MESSAGE });
    expect(ms).toBeLessThan(3_500);
  });

  it('counts only connections that are not disconnected', async () => {
    const userId = await createTestUser();
    const id = await createTestConnection({ userId });
    await getDb()
      .update(exchangeConnections)
      .set({ disconnectedAt: new Date(), status: 'disabled' })
      .where(eq(exchangeConnections.id, id));
    expect(await syncAll(userId)).toEqual({ ok: true, connections: 0 });
  });
});
