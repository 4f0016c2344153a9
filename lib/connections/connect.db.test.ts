import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';
import { setKeyring } from '@/lib/vault/keyring';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import { connectExchange } from './connect';
import { ACKNOWLEDGE_FIELD } from './key-check';
import { listConnections, selectConnections } from './list';
import { testConnection } from './test-connection';
import {
  BINANCE_SECRET,
  binanceAccount,
  connectionRow,
  credentialsRow,
  holdingsOf,
  PROBE_AND_ONE_BINANCE_READ,
  runsOf,
  savedRowsOf,
  sortHoldings,
} from '@/lib/testing/fixtures';
import { createTestUser, useTestKeyring } from '@/lib/testing/factories';

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

// Sorted by wallet, then asset.
const EXPECTED_HOLDINGS = [
  { asset: 'USDT', wallet: 'funding', total: '255.5' },
  { asset: 'BTC', wallet: 'spot', total: '0.6' },
  { asset: 'ETH', wallet: 'spot', total: '2' },
];

/** Nothing a user must never see: the key beyond its last four characters, the secret, a ciphertext. */
function expectNoSecrets(value: unknown, apiKey: string) {
  const text = JSON.stringify(value);
  expect(text).not.toContain(apiKey);
  expect(text).not.toContain(BINANCE_SECRET);
  expect(text).not.toMatch(/v1\.k1\./);
}

describe('testConnection', () => {
  it('reads balances and probes the key once, and saves nothing', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const result = await testConnection(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(result).toEqual({
      ok: true,
      report: {
        assets: 3,
        wallets: ['funding', 'spot'],
        warnings: [],
        permissions: { read: true, trade: false, withdraw: false, transfer: false, ipRestricted: false },
        needsTradingAcknowledgement: false,
      },
    });
    expect(account.requests()).toEqual(PROBE_AND_ONE_BINANCE_READ);
    expect(await savedRowsOf(userId)).toEqual({ connections: 0, credentials: 0, runs: 0, holdings: 0 });
  });

  it('explains a rejected key in plain English without repeating it', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const result = await testConnection(userId, {
      exchangeId: 'binance',
      credentials: { apiKey: account.apiKey, secret: `${BINANCE_SECRET}-wrong` },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Binance's -1022 (bad signature) is about the secret: said on that field, in a form's words.
    expect(result).toEqual({
      ok: false,
      message: 'The exchange rejected the secret of this API key.',
      refusedField: {
        path: 'credentials.secret',
        message: expect.stringMatching(/^This secret does not belong to the API key\./),
      },
    });
    expectNoSecrets(result, account.apiKey);
    expect(await savedRowsOf(userId)).toEqual({ connections: 0, credentials: 0, runs: 0, holdings: 0 });
  });

  it('reports credentials that do not fit the exchange per field before calling the exchange', async () => {
    const userId = await createTestUser();
    const missingSecret = await testConnection(userId, { exchangeId: 'binance', credentials: { apiKey: 'abc' } });
    expect(missingSecret).toMatchObject({ ok: false, fieldErrors: { 'credentials.secret': expect.any(String) } });
    expect(await testConnection(userId, { exchangeId: 'nope', credentials: {} })).toMatchObject({
      ok: false,
      fieldErrors: { exchangeId: 'Exchange is not one we know.' },
    });
    expect(await testConnection(userId, { exchangeId: 'kraken', credentials: {}, sandbox: true })).toMatchObject({
      ok: false,
      fieldErrors: { sandbox: expect.stringMatching(/no sandbox/) },
    });
  });

  it('reports a key that can trade instead of refusing it', async () => {
    const account = binanceAccount(sim, { permissions: { trade: true } });
    const result = await testConnection(await createTestUser(), {
      exchangeId: 'binance',
      credentials: account.credentials,
    });
    // The form's "I understand" box explains trading; the report's warnings do not say it again.
    expect(result).toMatchObject({ ok: true, report: { needsTradingAcknowledgement: true, warnings: [] } });
  });
});

describe('connectExchange', () => {
  it('stores the connection and only a ciphertext, applies the balances already read as the first run', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const before = Date.now();
    const result = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { connection } = result;
    expect(connection).toMatchObject({
      exchangeId: 'binance',
      exchangeName: 'Binance',
      label: 'Binance',
      status: 'active',
      keyHint: account.apiKey.slice(-4),
      lastError: null,
      autoSync: true,
      syncIntervalSeconds: 300,
      blockedUntil: null,
      pendingRun: null,
      sandbox: false,
      permissions: { read: true, trade: false, withdraw: false, transfer: false, ipRestricted: false },
      holdingsCount: 3,
      disconnectedAt: null,
    });
    expect(connection.lastSuccessAt).toBeInstanceOf(Date);
    expect(connection.nextSyncAt!.getTime()).toBeGreaterThanOrEqual(before + 300_000 - 1000);
    expectNoSecrets(result, account.apiKey);

    // One probe and one balance read: the first run used what the connection check had already read.
    expect(account.requests()).toEqual(PROBE_AND_ONE_BINANCE_READ);

    const stored = await credentialsRow(connection.id);
    expect(stored!.ciphertext).toMatch(/^v1\.k1\./);
    expect(JSON.stringify(stored)).not.toContain(account.apiKey);
    expect(JSON.stringify(stored)).not.toContain(BINANCE_SECRET);
    // In the user's default portfolio (which the connect created), not merely in some portfolio.
    expect((await connectionRow(connection.id))!.portfolioId).toBe(await ensureDefaultPortfolio(getDb(), userId));

    expect(sortHoldings(await holdingsOf(connection.id))).toEqual(EXPECTED_HOLDINGS);
    const runs = await runsOf(connection.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'connect', status: 'succeeded', assetsCount: 3, attempts: 1 });
  });

  it('labels connections to one exchange "Binance", "Binance 2", "Binance 3", and keeps a given label', async () => {
    const userId = await createTestUser();
    const labels: string[] = [];
    for (const label of [undefined, undefined, 'Savings', undefined]) {
      const result = await connectExchange(userId, {
        exchangeId: 'binance',
        credentials: binanceAccount(sim).credentials,
        label,
      });
      if (!result.ok) throw new Error(result.message);
      labels.push(result.connection.label);
    }
    expect(labels).toEqual(['Binance', 'Binance 2', 'Savings', 'Binance 3']);
  });

  it('refuses the same key twice, naming the connection that has it, without calling the exchange', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const first = await connectExchange(userId, {
      exchangeId: 'binance',
      credentials: account.credentials,
      label: 'Main account',
    });
    expect(first.ok).toBe(true);
    const requestsBefore = account.requests().length;

    const again = await connectExchange(userId, {
      exchangeId: 'binance',
      credentials: { apiKey: ` ${account.apiKey} `, secret: BINANCE_SECRET },
    });
    expect(again).toEqual({
      ok: false,
      message:
        'This API key is already connected as “Main account”. A new secret for it goes in that connection’s Update keys.',
      existingConnection: { id: first.ok ? first.connection.id : '', label: 'Main account' },
    });
    expect(account.requests()).toHaveLength(requestsBefore);
    expect((await savedRowsOf(userId)).connections).toBe(1);

    // Another user may connect the same key.
    expect(
      (await connectExchange(await createTestUser(), { exchangeId: 'binance', credentials: account.credentials })).ok,
    ).toBe(true);
  });

  it('answers a race on the same key like the duplicate check (the unique index decides)', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const input = { exchangeId: 'binance', credentials: account.credentials, label: 'Raced' };
    const results = await Promise.all([connectExchange(userId, input), connectExchange(userId, input)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^This API key is already connected as “Raced”\./),
      existingConnection: { label: 'Raced' },
    });
    expect(await savedRowsOf(userId)).toMatchObject({ connections: 1, credentials: 1, runs: 1 });
  });

  it('refuses a key that can withdraw (how to make a read-only one is the API key field’s help), after the probe only', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim, { permissions: { withdraw: true } });
    const result = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/can withdraw funds, so Coinsphere will not store it/);
    // How to make one is the API key field's help, already on the form: not repeated in the refusal.
    expect(result.message).not.toMatch(/Enable Reading/);
    expect(account.requests()).toEqual(['GET /sapi/v1/account/apiRestrictions']);
    expect(await savedRowsOf(userId)).toEqual({ connections: 0, credentials: 0, runs: 0, holdings: 0 });
  });

  it('connects a key that can trade only once the user acknowledges it', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim, { permissions: { trade: true } });
    const refused = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(refused).toMatchObject({ ok: false, fieldErrors: { [ACKNOWLEDGE_FIELD]: expect.any(String) } });
    expect((await savedRowsOf(userId)).connections).toBe(0);

    const accepted = await connectExchange(userId, {
      exchangeId: 'binance',
      credentials: account.credentials,
      acknowledgeTradingPermission: true,
    });
    expect(accepted).toMatchObject({
      ok: true,
      connection: { permissions: { trade: true } },
      warnings: [expect.stringMatching(/can trade/)],
    });
  });

  it('stores nothing when the exchange rejects the key', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    sim.addFault(account.apiKey, { kind: 'auth', remaining: 20 });
    const result = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/rejected this API key/) });
    expect(result).not.toMatchObject({ message: expect.stringMatching(/resume syncing/) });
    expect(await savedRowsOf(userId)).toEqual({ connections: 0, credentials: 0, runs: 0, holdings: 0 });
  });

  it('stores nothing when the exchange is down', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    sim.addFault(account.apiKey, { kind: 'server_error', remaining: 20 });
    const result = await connectExchange(userId, { exchangeId: 'binance', credentials: account.credentials });
    // Nothing retries a form: no "we will try again" promise, and nothing was stored.
    expect(result).toEqual({
      ok: false,
      message: 'The exchange could not be reached or did not answer in time. Nothing was saved; try again in a moment.',
    });
    expect(await savedRowsOf(userId)).toEqual({ connections: 0, credentials: 0, runs: 0, holdings: 0 });
  });
});

describe('listConnections', () => {
  it('lists the user’s connections with their sync state, and nobody else’s', async () => {
    const userId = await createTestUser();
    const a = binanceAccount(sim);
    const b = binanceAccount(sim, { wallets: { spot: { SOL: { free: '3', used: '0' } } } });
    await connectExchange(userId, { exchangeId: 'binance', credentials: a.credentials });
    await connectExchange(userId, { exchangeId: 'binance', credentials: b.credentials });
    await connectExchange(await createTestUser(), { exchangeId: 'binance', credentials: a.credentials });

    const list = await listConnections(userId);
    expect(list.map((c) => [c.label, c.holdingsCount, c.keyHint])).toEqual([
      ['Binance', 3, a.apiKey.slice(-4)],
      ['Binance 2', 1, b.apiKey.slice(-4)],
    ]);
    expectNoSecrets(list, a.apiKey);
    expectNoSecrets(list, b.apiKey);
    expect(await listConnections(await createTestUser())).toEqual([]);
  });

  it('is one statement that reads only the key hint from the credentials table', () => {
    const query = selectConnections(getDb(), '4b7e6f4e-2f55-4f59-9d5e-2f0d8b0a3c11', undefined).toSQL().sql;
    expect(query).toContain('"api_key_hint"');
    expect(query).not.toMatch(/ciphertext|fingerprint|key_id/);
  });
});
