import { beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from 'ccxt';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimAccount } from '@/lib/testing/exchange-simulator/types';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';
import { fetchBalances } from './balances';
import { clearSharedMarkets, IDLE_CLIENT_TTL_MS, idleClients, pruneIdleClients } from './client';
import type { BalanceRow } from './types';

// Clients are reused across accounts (building one costs more CPU than a sync): these prove that a
// reused client reads each account's own balances and keeps nothing of the previous one.

let sim: ExchangeSimulator;
// Every exchange request draws from the installation's budget, kept in the database.
withTestDatabase();
withSimulator((s) => (sim = s));

beforeEach(() => {
  sim.reset();
  clearSharedMarkets();
});

const binance = (apiKey: string, secret: string, btc: string) => {
  const wallets: SimAccount['wallets'] = { spot: { BTC: { free: btc, used: '0' } }, funding: {}, earn: {} };
  sim.addAccount({ exchange: 'binance', apiKey, secret, wallets });
  return { exchangeId: 'binance', credentials: { apiKey, secret } };
};

const spotBtc = (rows: BalanceRow[]) => rows.find((row) => row.wallet === 'spot' && row.asset === 'BTC')?.total;

/** Every string a client holds in its own fields, one level into objects (headers, options). */
function strings(client: Exchange): string[] {
  const found: string[] = [];
  for (const value of Object.values(client as unknown as Record<string, unknown>)) {
    if (typeof value === 'string') found.push(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const inner of Object.values(value)) if (typeof inner === 'string') found.push(inner);
    }
  }
  return found;
}

describe('pooled exchange clients', () => {
  it('serves two accounts in turn from one client, each with its own balances and signature', async () => {
    const first = binance('pool-key-A-7d1c9e0b3a', 'pool-secret-A-5f2e8c1d9b7a', '1.5');
    const second = binance('pool-key-B-2b8f4a6c0e', 'pool-secret-B-8a3c7e1f5d2b', '0.25');

    expect(spotBtc((await fetchBalances(first)).rows)).toBe('1.5');
    const [client] = idleClients('binance');
    expect(client).toBeDefined();
    expect(spotBtc((await fetchBalances(second)).rows)).toBe('0.25');
    expect(idleClients('binance')).toEqual([client]);

    // The simulator checked every signature against the key it was sent with.
    const signed = sim.log().filter((entry) => entry.apiKey !== null);
    expect(new Set(signed.map((entry) => entry.apiKey))).toEqual(
      new Set([first.credentials.apiKey, second.credentials.apiKey]),
    );
    expect(signed.every((entry) => entry.verified === true && entry.status === 200)).toBe(true);
  });

  it('keeps no credential, request or answer of the last account on an idle client', async () => {
    const account = binance('pool-key-C-9e7d5c3b1a', 'pool-secret-C-1b3d5f7a9c2e', '3');
    await fetchBalances(account);
    const [client] = idleClients('binance');
    const fields = client as unknown as Record<string, unknown>;
    for (const field of ['apiKey', 'secret', 'password', 'uid', 'privateKey', 'token']) {
      expect(fields[field], field).toBeUndefined();
    }
    for (const field of ['last_request_headers', 'last_request_url', 'last_request_body', 'last_response_headers']) {
      expect(fields[field], field).toBeUndefined();
    }
    expect(fields.last_http_response).toBeUndefined();
    const held = strings(client!).join('\n');
    expect(held).not.toContain(account.credentials.apiKey);
    expect(held).not.toContain(account.credentials.secret);
  });

  it('lends concurrent syncs different clients', async () => {
    const accounts = ['1', '2', '3'].map((n) =>
      binance(`pool-key-D${n}-4c6e8a0b2d`, `pool-secret-D${n}-6e8a0c2e4f`, n),
    );
    const results = await Promise.all(accounts.map((account) => fetchBalances(account)));
    expect(results.map((result) => spotBtc(result.rows))).toEqual(['1', '2', '3']);
    expect(new Set(idleClients('binance')).size).toBe(3);
  });

  it('drops a client whose sync failed, since its requests may still be in flight', async () => {
    const account = binance('pool-key-E-0a2c4e6b8d', 'pool-secret-E-3c5e7a9b1d4f', '1');
    await fetchBalances(account);
    const [client] = idleClients('binance');
    sim.addFault(account.credentials.apiKey, { kind: 'server_error', pathIncludes: '/api/v3/account' });
    await expect(fetchBalances(account)).rejects.toThrow(expect.objectContaining({ name: 'ExchangeNotAvailable' }));
    expect(idleClients('binance')).toEqual([]);
    await fetchBalances(account);
    expect(idleClients('binance')).toHaveLength(1);
    expect(idleClients('binance')[0]).not.toBe(client);
  });

  it('gives the next KuCoin account options free of the last one’s high-frequency flag', async () => {
    const hf = { apiKey: 'pool-kc-hf', secret: 'pool-kc-hf-secret', password: 'pool-kc-hf-pass' };
    const classic = { apiKey: 'pool-kc-classic', secret: 'pool-kc-classic-secret', password: 'pool-kc-classic-pass' };
    sim.addAccount({
      exchange: 'kucoin',
      apiKey: hf.apiKey,
      secret: hf.secret,
      passphrase: hf.password,
      highFrequency: true,
      wallets: { trade: {}, trade_hf: { KCS: { free: '42', used: '0' } }, main: {} },
    });
    sim.addAccount({
      exchange: 'kucoin',
      apiKey: classic.apiKey,
      secret: classic.secret,
      passphrase: classic.password,
      wallets: { trade: { BTC: { free: '0.5', used: '0' } }, main: {} },
    });

    const hfRows = (await fetchBalances({ exchangeId: 'kucoin', credentials: hf })).rows;
    expect(hfRows.map((row) => `${row.wallet}:${row.asset}`)).toEqual(['trade:KCS']);
    const [client] = idleClients('kucoin');
    expect(client!.options['hf']).toBeUndefined();

    const classicRows = (await fetchBalances({ exchangeId: 'kucoin', credentials: classic })).rows;
    expect(classicRows.map((row) => `${row.wallet}:${row.asset}`)).toEqual(['trade:BTC']);
    expect(idleClients('kucoin')).toEqual([client]);
  });

  it('drops clients left idle for longer than the idle limit', async () => {
    const first = binance('pool-key-F1-1a3c5e7b9d', 'pool-secret-F1-7b9d1f3a5c8e', '1');
    const second = binance('pool-key-F2-2b4d6f8a0c', 'pool-secret-F2-8c0e2a4b6d9f', '2');
    await Promise.all([fetchBalances(first), fetchBalances(second)]);
    expect(idleClients('binance')).toHaveLength(2);

    pruneIdleClients(Date.now() + IDLE_CLIENT_TTL_MS / 2);
    expect(idleClients('binance')).toHaveLength(2);
    pruneIdleClients(Date.now() + IDLE_CLIENT_TTL_MS + 1_000);
    expect(idleClients('binance')).toEqual([]);
  });
});
