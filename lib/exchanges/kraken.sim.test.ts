import { createHash, createHmac, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { FaultKind, SimAccount, SimPermissions } from '@/lib/testing/exchange-simulator/types';
import { fetchBalances } from './balances';
import { clearSharedMarkets } from './client';
import { classifyExchangeError } from './errors';
import { probePermissions } from './permissions';
import type { BalanceRow } from './types';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';

let sim: ExchangeSimulator;
let keyCount = 0;

function newSecret(): string {
  return randomBytes(64).toString('base64');
}

function seed(spot: SimAccount['wallets'][string] = {}, permissions?: Partial<SimPermissions>) {
  const apiKey = `kraken-key-${++keyCount}-${randomBytes(6).toString('hex')}`;
  const secret = newSecret();
  sim.addAccount({
    exchange: 'kraken',
    apiKey,
    secret,
    wallets: { spot },
    ...(permissions
      ? {
          permissions: {
            read: true,
            trade: false,
            withdraw: false,
            transfer: false,
            ipRestricted: false,
            ...permissions,
          },
        }
      : {}),
  });
  return { apiKey, secret };
}

function sync(credentials: { apiKey: string; secret: string }) {
  return fetchBalances({ exchangeId: 'kraken', credentials });
}

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('expected the exchange call to fail');
    },
    (caught: unknown) => caught,
  );
  return classifyExchangeError(error);
}

function sorted(rows: BalanceRow[]): BalanceRow[] {
  return [...rows].sort((a, b) => `${a.wallet}/${a.asset}`.localeCompare(`${b.wallet}/${b.asset}`));
}

/** A BalanceEx call signed by hand, as another app sharing the key would send it. */
function signedBalanceEx(credentials: { apiKey: string; secret: string }, nonce: string) {
  const path = '/0/private/BalanceEx';
  const body = `nonce=${nonce}`;
  const digest = createHash('sha256')
    .update(nonce + body)
    .digest();
  const sign = createHmac('sha512', Buffer.from(credentials.secret, 'base64'))
    .update(Buffer.concat([Buffer.from(path), digest]))
    .digest('base64');
  return fetch(`${sim.url}/api.kraken.com${path}`, {
    method: 'POST',
    headers: {
      'API-Key': credentials.apiKey,
      'API-Sign': sign,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body,
  }).then((response) => response.json() as Promise<{ error: string[] }>);
}

// Every exchange request draws from the installation's budget, kept in the database.
withTestDatabase();
withSimulator((s) => {
  sim = s;
  sim.ctx.tickers.kraken = { 'BTC/USD': '64000.5', 'ETH/USD': '3100.25', 'DOT/USD': '6.5', 'ADA/EUR': '0.41' };
});

beforeEach(() => {
  sim.clearLog();
});

describe('kraken balances through the simulator', () => {
  it('folds suffixed codes into their base asset per wallet, with exact decimals', async () => {
    const account = seed({
      XXBT: { free: '0.5', used: '0.1234567891' },
      'XBT.F': { free: '0.25', used: '0' },
      XETH: { free: '3.1415926535', used: '0' },
      'ETH.F': { free: '0.5', used: '0' },
      'ETH2.S': { free: '32', used: '0' },
      ZUSD: { free: '1234567.8912', used: '100' },
      'USD.HOLD': { free: '250.75', used: '0' },
      DOT: { free: '10', used: '0' },
      'DOT.S': { free: '100.5', used: '0' },
      'ADA.S': { free: '1.1', used: '0' },
      'ADA.M': { free: '2.2', used: '0' },
      'SOL.B': { free: '5.5', used: '0' },
      XLTC: { free: '0', used: '0' },
    });

    const result = await sync(account);

    expect(result.warnings).toEqual([]);
    expect(sorted(result.rows)).toEqual(
      sorted([
        { asset: 'BTC', wallet: 'spot', free: '0.5', used: '0.1234567891', total: '0.6234567891' },
        { asset: 'BTC', wallet: 'earn', free: '0.25', used: '0', total: '0.25' },
        { asset: 'ETH', wallet: 'spot', free: '3.1415926535', used: '0', total: '3.1415926535' },
        { asset: 'ETH', wallet: 'earn', free: '0.5', used: '0', total: '0.5' },
        { asset: 'ETH', wallet: 'staked', free: '32', used: '0', total: '32' },
        { asset: 'USD', wallet: 'spot', free: '1234567.8912', used: '100', total: '1234667.8912' },
        { asset: 'USD', wallet: 'hold', free: '250.75', used: '0', total: '250.75' },
        { asset: 'DOT', wallet: 'spot', free: '10', used: '0', total: '10' },
        { asset: 'DOT', wallet: 'staked', free: '100.5', used: '0', total: '100.5' },
        // 1.1 + 2.2 as floats would be 3.3000000000000003.
        { asset: 'ADA', wallet: 'staked', free: '3.3', used: '0', total: '3.3' },
        { asset: 'SOL', wallet: 'earn', free: '5.5', used: '0', total: '5.5' },
      ]),
    );
  });

  it('makes 3 requests on a cold market cache and 1 per sync after that', async () => {
    clearSharedMarkets();
    const account = seed({ XXBT: { free: '1', used: '0' } });

    await sync(account);
    expect(sim.log({ exchange: 'kraken' }).map((e) => `${e.method} ${e.path} ${e.verified}`)).toEqual([
      'GET /0/public/Assets null',
      'GET /0/public/AssetPairs null',
      'POST /0/private/BalanceEx true',
    ]);

    sim.clearLog();
    await sync(account);
    expect(sim.log({ exchange: 'kraken' }).map((e) => `${e.method} ${e.path} ${e.verified}`)).toEqual([
      'POST /0/private/BalanceEx true',
    ]);
  });

  it('refuses a wrong secret (verified: false) and classifies it as auth', async () => {
    const account = seed({ XXBT: { free: '1', used: '0' } });

    const info = await failureOf(sync({ apiKey: account.apiKey, secret: newSecret() }));

    expect(info.kind).toBe('auth');
    expect(sim.log({ apiKey: account.apiKey }).map((e) => [e.path, e.verified])).toEqual([
      ['/0/private/BalanceEx', false],
    ]);
  });

  it('refuses an unknown key as auth', async () => {
    const info = await failureOf(sync({ apiKey: 'never-seeded', secret: newSecret() }));
    expect(info.kind).toBe('auth');
  });

  it('refuses a replayed nonce', async () => {
    const account = seed({ XXBT: { free: '1', used: '0' } });
    const nonce = String(Date.now());

    expect((await signedBalanceEx(account, nonce)).error).toEqual([]);
    expect((await signedBalanceEx(account, nonce)).error).toEqual(['EAPI:Invalid nonce']);
    expect(sim.log({ apiKey: account.apiKey }).map((e) => e.verified)).toEqual([true, false]);
  });

  it('classifies a nonce lower than one already seen (another app on the key) as clock', async () => {
    const account = seed({ XXBT: { free: '1', used: '0' } });
    expect((await signedBalanceEx(account, String(Date.now() + 60_000))).error).toEqual([]);

    const info = await failureOf(sync(account));

    expect(info.kind).toBe('clock');
    expect(sim.log({ apiKey: account.apiKey }).map((e) => e.verified)).toEqual([true, false]);
  });

  const faults: [FaultKind, string][] = [
    ['auth', 'auth'],
    ['forbidden', 'auth'],
    ['rate_limit', 'rate_limit'],
    ['ban', 'rate_limit'],
    ['server_error', 'transient'],
    ['bad_gateway', 'transient'],
    ['unavailable', 'transient'],
    ['gateway_timeout', 'transient'],
    ['html', 'malformed'],
    ['truncated', 'malformed'],
    ['nonce', 'clock'],
    ['clock_skew', 'clock'],
  ];

  it.each(faults)('maps the %s fault to %s', async (kind, expected) => {
    const account = seed({ XXBT: { free: '1', used: '0' } });
    sim.addFault(account.apiKey, { kind });

    const info = await failureOf(sync(account));

    expect(info.kind).toBe(expected);
    expect(sim.log({ apiKey: account.apiKey }).map((e) => e.fault)).toEqual([kind]);
    // The fault was one request; the next sync reads the balance again.
    await expect(sync(account)).resolves.toMatchObject({ rows: [{ asset: 'BTC', total: '1' }] });
  });

  it('passes Retry-After on as retryAfterMs', async () => {
    const account = seed({ XXBT: { free: '1', used: '0' } });
    sim.addFault(account.apiKey, { kind: 'rate_limit', retryAfterSeconds: 7 });

    const info = await failureOf(sync(account));

    expect(info).toMatchObject({ kind: 'rate_limit', retryAfterMs: 7000 });
  });

  it('classifies an answer slower than the client timeout as transient', async () => {
    const account = seed({ XXBT: { free: '1', used: '0' } });
    sim.addFault(account.apiKey, { kind: 'delay', delayMs: 3000 });
    process.env.EXCHANGE_TIMEOUT_MS = '1500';
    try {
      const info = await failureOf(sync(account));
      expect(info.kind).toBe('transient');
    } finally {
      delete process.env.EXCHANGE_TIMEOUT_MS;
    }
  });
});

describe('kraken permission probe through the simulator', () => {
  it('reads a query-only key as read-only, in one request', async () => {
    const account = seed({}, { read: true });

    const permissions = await probePermissions({ exchangeId: 'kraken', credentials: account });

    expect(permissions).toEqual({ read: true, trade: false, withdraw: false, transfer: false, ipRestricted: false });
    expect(sim.log({ apiKey: account.apiKey }).map((e) => [e.path, e.verified])).toEqual([
      ['/0/private/GetApiKeyInfo', true],
    ]);
  });

  it('reads trade, withdraw and an IP allow-list', async () => {
    const account = seed({}, { read: true, trade: true, withdraw: true, ipRestricted: true });

    const permissions = await probePermissions({ exchangeId: 'kraken', credentials: account });

    expect(permissions).toEqual({ read: true, trade: true, withdraw: true, transfer: false, ipRestricted: true });
  });

  it('reads an Earn-capable key as able to transfer', async () => {
    const account = seed({}, { read: true, transfer: true });

    const permissions = await probePermissions({ exchangeId: 'kraken', credentials: account });

    expect(permissions).toMatchObject({ read: true, trade: false, withdraw: false, transfer: true });
  });
});
