import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { balanceHistory, exchangeConnections } from '@/db/schema';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { enqueueRun } from '@/lib/sync/runs';
import { applySyncResult } from '@/lib/sync/sync-connection';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';
import { connectExchange } from './connect';
import { disconnect, DISCONNECTED_RUN_ERROR } from './disconnect';
import { listConnections } from './list';
import { DISCONNECTED_MESSAGE } from './sync-now';
import {
  binanceAccount,
  connectionRow,
  credentialsRow,
  holdingsOf,
  pointInngestAt,
  PROBE_AND_ONE_BINANCE_READ,
  refusingUrl,
  runsOf,
  sortHoldings,
  startFakeEventApi,
  withKeyringAndEventApi,
} from '@/lib/testing/fixtures';
import { createTestUser } from '@/lib/testing/factories';
import { updateConnection } from './update';

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));

let eventApi: Awaited<ReturnType<typeof startFakeEventApi>>;
withKeyringAndEventApi((api) => (eventApi = api));

async function connected(userId: string, account = binanceAccount(sim), label?: string) {
  const result = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials, label });
  if (!result.ok) throw new Error(result.message);
  return { id: result.connection.id, account };
}

async function historyOf(connectionId: string) {
  return getDb().select().from(balanceHistory).where(eq(balanceHistory.connectionId, connectionId));
}

describe('updateConnection', () => {
  it('changes the label, auto-sync and interval, and reschedules from the last sync', async () => {
    const userId = await createTestUser();
    const { id } = await connected(userId);
    const lastSyncAt = (await connectionRow(id))!.lastSyncAt!;

    const result = await updateConnection(userId, id, {
      label: 'Trading',
      syncIntervalSeconds: 3600,
      autoSync: false,
    });
    expect(result).toMatchObject({
      ok: true,
      connection: { label: 'Trading', syncIntervalSeconds: 3600, autoSync: false },
      warnings: [],
    });
    expect((await connectionRow(id))!.nextSyncAt!.getTime()).toBe(lastSyncAt.getTime() + 3_600_000);
  });

  it('re-tests new keys before saving them, clears needs_reauth and applies the balances they read', async () => {
    const userId = await createTestUser();
    const { id } = await connected(userId);
    await getDb()
      .update(exchangeConnections)
      .set({ status: 'needs_reauth', lastError: 'The exchange rejected this API key.', consecutiveFailures: 3 })
      .where(eq(exchangeConnections.id, id));
    const oldCiphertext = (await credentialsRow(id))!.ciphertext;

    const replacement = binanceAccount(sim, { wallets: { spot: { SOL: { free: '7', used: '0' } } } });
    const result = await updateConnection(userId, id, { credentials: replacement.credentials });
    expect(result).toMatchObject({
      ok: true,
      connection: { status: 'active', lastError: null, keyHint: replacement.apiKey.slice(-4), pendingRun: null },
    });
    expect(replacement.requests()).toEqual(PROBE_AND_ONE_BINANCE_READ);
    expect((await credentialsRow(id))!.ciphertext).not.toBe(oldCiphertext);
    expect((await connectionRow(id))!.consecutiveFailures).toBe(0);
    expect(await holdingsOf(id)).toEqual([{ asset: 'SOL', wallet: 'spot', total: '7' }]);
    expect((await runsOf(id)).map((run) => [run.trigger, run.status])).toEqual(
      expect.arrayContaining([['keys_updated', 'succeeded']]),
    );
  });

  it('refuses new keys that can withdraw, or that another connection already has, and keeps the old ones', async () => {
    const userId = await createTestUser();
    const other = await connected(userId, binanceAccount(sim), 'Savings');
    const { id, account } = await connected(userId);
    const ciphertext = (await credentialsRow(id))!.ciphertext;

    const withdraw = binanceAccount(sim, { permissions: { withdraw: true } });
    const refused = await updateConnection(userId, id, { credentials: withdraw.credentials });
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/can withdraw funds/) });

    const taken = await updateConnection(userId, id, { credentials: other.account.credentials });
    expect(taken).toEqual({
      ok: false,
      message:
        'This API key is already connected as “Savings”. A new secret for it goes in that connection’s Update keys.',
      existingConnection: { id: other.id, label: 'Savings' },
    });
    expect((await credentialsRow(id))!.ciphertext).toBe(ciphertext);

    // Its own key again is fine (e.g. the user re-pastes it after fixing the key's permissions).
    expect(await updateConnection(userId, id, { credentials: account.credentials })).toMatchObject({ ok: true });
  });

  it('asks for the acknowledgement before storing a new key that can trade', async () => {
    const userId = await createTestUser();
    const { id } = await connected(userId);
    const trading = binanceAccount(sim, { permissions: { trade: true } });
    expect(await updateConnection(userId, id, { credentials: trading.credentials })).toMatchObject({
      ok: false,
      fieldErrors: { acknowledgeTradingPermission: expect.any(String) },
    });
    expect(
      await updateConnection(userId, id, { credentials: trading.credentials, acknowledgeTradingPermission: true }),
    ).toMatchObject({ ok: true, connection: { permissions: { trade: true } } });
  });
});

describe('disconnect', () => {
  it('deletes the credentials at once, fails pending runs, keeps holdings and history when asked', async () => {
    const userId = await createTestUser();
    const { id } = await connected(userId);
    const pending = await enqueueRun({ connectionId: id, userId, trigger: 'manual' });
    const heldBefore = sortHoldings(await holdingsOf(id));
    const historyBefore = await historyOf(id);
    expect(historyBefore.length).toBeGreaterThan(0);

    expect(await disconnect(userId, id, { keepHoldings: true })).toEqual({
      ok: true,
      alreadyDisconnected: false,
      holdingsRemoved: 0,
      historyRemoved: 0,
    });
    expect(await credentialsRow(id)).toBeUndefined();
    expect(await connectionRow(id)).toMatchObject({ status: 'disabled', nextSyncAt: null });
    expect((await connectionRow(id))!.disconnectedAt).toBeInstanceOf(Date);
    expect((await runsOf(id)).find((run) => run.id === pending.runId)).toMatchObject({
      status: 'failed',
      error: DISCONNECTED_RUN_ERROR,
    });
    expect(sortHoldings(await holdingsOf(id))).toEqual(heldBefore);
    expect(await historyOf(id)).toEqual(historyBefore);
    // Connect started the history import; disconnecting tells Inngest to cancel it and any sync.
    expect(eventApi.events).toEqual([
      expect.objectContaining({
        name: 'connection/history.import.requested',
        data: expect.objectContaining({ connectionId: id }),
      }),
      expect.objectContaining({ name: 'connection/disconnected', data: { connectionId: id } }),
    ]);

    // Still listed (its holdings count in the portfolio), without a key.
    expect(await listConnections(userId)).toEqual([
      expect.objectContaining({ id, status: 'disabled', keyHint: null, holdingsCount: heldBefore.length }),
    ]);
    // A sync that read balances before the disconnect cannot write them after it.
    await expect(
      applySyncResult({
        connectionId: id,
        runId: pending.runId,
        result: { rows: [{ asset: 'DOGE', wallet: 'spot', free: '1', used: '0', total: '1' }], warnings: [] },
      }),
    ).rejects.toThrow(expect.objectContaining({ name: 'SyncNotAppliedError', reason: 'connection_gone' }));
    expect(sortHoldings(await holdingsOf(id))).toEqual(heldBefore);
    // Nothing more can be done with it but remove its holdings.
    expect(await updateConnection(userId, id, { label: 'x' })).toEqual({ ok: false, message: DISCONNECTED_MESSAGE });
  });

  it('removes holdings unless kept, keeps history, and a second disconnect removes holdings kept before', async () => {
    const userId = await createTestUser();
    const first = await connected(userId);
    const second = await connected(userId);

    expect(await disconnect(userId, first.id, { keepHoldings: false })).toEqual({
      ok: true,
      alreadyDisconnected: false,
      holdingsRemoved: 3,
      historyRemoved: 0,
    });
    expect(await holdingsOf(first.id)).toEqual([]);
    expect((await historyOf(first.id)).length).toBeGreaterThan(0);
    expect((await listConnections(userId)).map((c) => c.id)).toEqual([second.id]);

    await disconnect(userId, second.id, { keepHoldings: true });
    expect(await disconnect(userId, second.id, { keepHoldings: false })).toEqual({
      ok: true,
      alreadyDisconnected: true,
      holdingsRemoved: 3,
      historyRemoved: 0,
    });
    expect(await listConnections(userId)).toEqual([]);
  });

  it('disconnects even when Inngest cannot be told', async () => {
    const userId = await createTestUser();
    const { id } = await connected(userId);
    pointInngestAt(await refusingUrl());
    expect(await disconnect(userId, id, { keepHoldings: false })).toMatchObject({ ok: true });
    expect(await credentialsRow(id)).toBeUndefined();
  });
});

describe('ownership', () => {
  it('answers "not found" to every function for another user’s connection, and changes nothing', async () => {
    const owner = await createTestUser();
    const { id, account } = await connected(owner);
    const stranger = await createTestUser();
    const notFound = { ok: false, message: 'Connection not found.' };
    const replacement = binanceAccount(sim);

    expect(await updateConnection(stranger, id, { label: 'Mine now' })).toEqual(notFound);
    expect(await updateConnection(stranger, id, { credentials: replacement.credentials })).toEqual(notFound);
    expect(await disconnect(stranger, id, { keepHoldings: false })).toEqual(notFound);
    expect(await updateConnection(stranger, 'not-a-uuid', { label: 'x' })).toEqual(notFound);
    expect(await disconnect(stranger, 'not-a-uuid', { keepHoldings: true })).toEqual(notFound);
    expect(replacement.requests()).toEqual([]);

    expect(await connectionRow(id)).toMatchObject({ label: 'Binance', status: 'active', disconnectedAt: null });
    expect((await credentialsRow(id))!.apiKeyHint).toBe(account.apiKey.slice(-4));
    expect(await holdingsOf(id)).toHaveLength(3);
    // Only this connection's events, apart from the history import its own Connect started: a send the
    // previous test refused may still be retried into this one.
    expect(
      eventApi.events.filter(
        (event) => event.data.connectionId === id && event.name !== 'connection/history.import.requested',
      ),
    ).toEqual([]);
  });
});
