import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, exchangeCredentials, syncRuns } from '@/db/schema';
import { connectExchange } from '@/lib/connections/connect';
import { getSyncStatus } from '@/lib/connections/status';
import { syncAll, syncNow } from '@/lib/connections/sync-now';
import { updateConnection } from '@/lib/connections/update';
import { credentialsUnreadable, toConnectionView } from '@/lib/connections/view';
import { logger } from '@/lib/log';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestUser } from '@/lib/testing/factories';
import { binanceAccount, connectionRow, runRow, withKeyringAndEventApi } from '@/lib/testing/fixtures';
import { withSimulator } from '@/lib/testing/simulator';
import { getKeyring, parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { CREDENTIALS_UNREADABLE_MESSAGE } from './failure-kinds';
import { recordSyncFailure } from './record-failure';
import { enqueueRun, enqueueRunsForUser } from './runs';
import { claimDueConnections } from './schedule';
import { syncConnection } from './sync-connection';

// Stored credentials the vault can no longer decrypt, through the real sync: the connect flow stores
// them, ccxt would call the exchange simulator, the database is PostgreSQL or PGlite.

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((running) => (sim = running));
withKeyringAndEventApi(() => undefined);

afterEach(() => vi.restoreAllMocks());

async function connected() {
  const userId = await createTestUser();
  const account = binanceAccount(sim);
  const result = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
  if (!result.ok) throw new Error(result.message);
  return { userId, connectionId: result.connection.id, account };
}

async function ciphertextOf(connectionId: string) {
  const [row] = await getDb()
    .select({ ciphertext: exchangeCredentials.ciphertext })
    .from(exchangeCredentials)
    .where(eq(exchangeCredentials.connectionId, connectionId));
  return row!.ciphertext;
}

/** One character of the sealed body changed: the GCM tag no longer matches. */
async function tamper(connectionId: string) {
  const ciphertext = await ciphertextOf(connectionId);
  const at = ciphertext.length - 10;
  const changed = ciphertext[at] === 'A' ? 'B' : 'A';
  await getDb()
    .update(exchangeCredentials)
    .set({ ciphertext: `${ciphertext.slice(0, at)}${changed}${ciphertext.slice(at + 1)}` })
    .where(eq(exchangeCredentials.connectionId, connectionId));
}

/** A sync of a connection whose stored keys cannot be read, and everything that must follow from it. */
async function expectUnreadableAfterSync(seeded: Awaited<ReturnType<typeof connected>>) {
  const { userId, connectionId, account } = seeded;
  const exchangeCallsBefore = account.requests().length;
  const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });

  const outcome = await syncConnection(connectionId, runId);

  expect(outcome).toEqual({
    status: 'failed',
    kind: 'credentials_unreadable',
    message: CREDENTIALS_UNREADABLE_MESSAGE,
    retriable: false,
  });
  expect(account.requests().length).toBe(exchangeCallsBefore);
  const run = await runRow(runId);
  expect(run).toMatchObject({
    status: 'failed',
    attempts: 1,
    errorKind: 'credentials_unreadable',
    error: CREDENTIALS_UNREADABLE_MESSAGE,
  });
  expect(run.finishedAt).toBeInstanceOf(Date);
  expect(await connectionRow(connectionId)).toMatchObject({
    status: 'needs_reauth',
    lastError: CREDENTIALS_UNREADABLE_MESSAGE,
    nextSyncAt: null,
    consecutiveFailures: 1,
  });
  // The operator is told, without the ciphertext or the key.
  const log = JSON.stringify(logged.mock.calls);
  expect(log).toContain('stored credentials cannot be read');
  for (const secret of [account.apiKey, account.credentials.secret, await ciphertextOf(connectionId)]) {
    expect(log).not.toContain(secret);
  }

  // Nothing starts it again: not a retry of the run, not the scheduler (even once due), not Sync all.
  expect(await syncConnection(connectionId, runId)).toMatchObject({ status: 'skipped' });
  await getDb()
    .update(exchangeConnections)
    .set({ nextSyncAt: new Date(Date.now() - 60_000) })
    .where(eq(exchangeConnections.id, connectionId));
  const claimed = await claimDueConnections({ limit: 1000 });
  expect(claimed.map((claim) => claim.connectionId)).not.toContain(connectionId);
  expect(await enqueueRunsForUser(userId, 'sync_all')).toEqual([]);
  expect(await syncAll(userId)).toEqual({ ok: true, connections: 0 });
  expect(account.requests().length).toBe(exchangeCallsBefore);

  // Sync now and the status list say why.
  expect(await syncNow(userId, connectionId)).toEqual({ ok: false, message: CREDENTIALS_UNREADABLE_MESSAGE });
  const [view] = (await getSyncStatus(userId)).connections;
  expect(view).toMatchObject({ status: 'needs_reauth', latestRun: { errorKind: 'credentials_unreadable' } });
  expect(credentialsUnreadable(view!)).toBe(true);
}

/** Update keys makes it active again, and the next sync reads the exchange. */
async function expectActiveAfterNewKeys({ userId, connectionId, account }: Awaited<ReturnType<typeof connected>>) {
  const updated = await updateConnection(userId, connectionId, { credentials: account.credentials });
  if (!updated.ok) throw new Error(updated.message);
  expect(updated.connection).toMatchObject({ status: 'active', lastError: null });
  expect(credentialsUnreadable(toConnectionView(updated.connection))).toBe(false);
  expect(await connectionRow(connectionId)).toMatchObject({ status: 'active', consecutiveFailures: 0 });

  const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
  expect(await syncConnection(connectionId, runId)).toMatchObject({ status: 'succeeded', assets: 3 });
}

describe('stored credentials that no longer decrypt', () => {
  it('a tampered ciphertext: the run fails once, the connection needs new keys; Update keys restores it', async () => {
    const seeded = await connected();
    await tamper(seeded.connectionId);
    await expectUnreadableAfterSync(seeded);
    await expectActiveAfterNewKeys(seeded);
  });

  it('a key removed from the keyring: the same, and the new keys are sealed with the current key', async () => {
    const seeded = await connected();
    const before = getKeyring();
    setKeyring(parseKeyring(`k2:${randomBytes(32).toString('base64')}`));
    try {
      await expectUnreadableAfterSync(seeded);
      await expectActiveAfterNewKeys(seeded);
      expect(await ciphertextOf(seeded.connectionId)).toMatch(/^v1\.k2\./);
    } finally {
      setKeyring(before);
    }
  });

  it('keys saved while the run was reading the old ones stay active (the run still fails)', async () => {
    const { userId, connectionId } = await connected();
    const { runId } = await enqueueRun({ connectionId, userId, trigger: 'manual' });
    await getDb()
      .update(syncRuns)
      .set({ status: 'running', startedAt: new Date(Date.now() - 60_000) })
      .where(eq(syncRuns.id, runId));
    // Saved after the run started.
    await getDb()
      .update(exchangeCredentials)
      .set({ updatedAt: new Date() })
      .where(eq(exchangeCredentials.connectionId, connectionId));

    await recordSyncFailure({
      connectionId,
      runId,
      kind: 'credentials_unreadable',
      message: CREDENTIALS_UNREADABLE_MESSAGE,
    });
    expect(await runRow(runId)).toMatchObject({ status: 'failed', errorKind: 'credentials_unreadable' });
    expect(await connectionRow(connectionId)).toMatchObject({ status: 'active', lastError: null });
  });
});
