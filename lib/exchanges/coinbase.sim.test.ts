import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { FaultKind, SimAccount } from '@/lib/testing/exchange-simulator/types';
import type { ExchangeCredentials } from '@/lib/vault/credentials';
import { fetchBalances } from './balances';
import { createExchangeClient } from './client';
import { classifyExchangeError, type ExchangeErrorKind } from './errors';
import { probePermissions } from './permissions';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';

/** A CDP ES256 key as Coinbase hands it out: the key name and a SEC1 PEM with real newlines. */
function es256Key(): ExchangeCredentials {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { apiKey: `organizations/${randomUUID()}/apiKeys/${randomUUID()}`, secret: privateKey };
}

/** A CDP Ed25519 key: a uuid and base64(32-byte seed ‖ 32-byte public key), 88 characters. */
function ed25519Key(): ExchangeCredentials {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const secret = Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]);
  return { apiKey: randomUUID(), secret: secret.toString('base64') };
}

const SPOT: SimAccount['wallets'] = {
  spot: {
    BTC: { free: '0.5', used: '0.1' },
    'BTC#vault': { free: '0.25', used: '0' },
    ETH: { free: '1.23456789', used: '0' },
    USDC: { free: '100.5', used: '20.25' },
    USD: { free: '12.34', used: '0' },
    SOL: { free: '0', used: '0' },
  },
};

const EXPECTED_ROWS = [
  { asset: 'BTC', wallet: 'spot', free: '0.75', used: '0.1', total: '0.85' },
  { asset: 'ETH', wallet: 'spot', free: '1.23456789', used: '0', total: '1.23456789' },
  { asset: 'USD', wallet: 'spot', free: '12.34', used: '0', total: '12.34' },
  { asset: 'USDC', wallet: 'spot', free: '100.5', used: '20.25', total: '120.75' },
];

const byAsset = <T extends { asset: string }>(rows: T[]) => [...rows].sort((a, b) => a.asset.localeCompare(b.asset));

let sim: ExchangeSimulator;

function seed(credentials: ExchangeCredentials, extra: Partial<SimAccount> = {}) {
  sim.addAccount({
    exchange: 'coinbase',
    apiKey: credentials.apiKey,
    secret: credentials.secret ?? '',
    wallets: SPOT,
    ...extra,
  });
  return credentials;
}

const sync = (credentials: ExchangeCredentials) => fetchBalances({ exchangeId: 'coinbase', credentials });

async function syncError(credentials: ExchangeCredentials): Promise<unknown> {
  try {
    await sync(credentials);
  } catch (error) {
    return error;
  }
  throw new Error('the sync succeeded');
}

// Every exchange request draws from the installation's budget, kept in the database.
withTestDatabase();
withSimulator((s) => {
  sim = s;
  sim.ctx.tickers.coinbase = { 'BTC/USD': '64000.5', 'ETH/USD': '3000.25', 'BTC/USDC': '63990' };
});

beforeEach(() => sim.clearLog());

describe('coinbase balances through the simulator', () => {
  it('reads every page of an ES256 key, summing accounts of one currency', async () => {
    const key = seed(es256Key());
    const result = await sync(key);
    expect(byAsset(result.rows)).toEqual(EXPECTED_ROWS);
    expect(result.warnings).toEqual([]);

    // First sync of the process: the shared keyless market load, then 3 pages of 2 accounts.
    const publicPaths = sim.log({ exchange: 'coinbase' }).filter((entry) => entry.apiKey === null);
    expect(publicPaths.map((entry) => entry.path).sort()).toEqual([
      '/api/v3/brokerage/market/products',
      '/api/v3/brokerage/market/products',
      '/api/v3/brokerage/market/products',
      '/v2/currencies',
      '/v2/currencies/crypto',
      '/v2/exchange-rates',
    ]);
    const signed = sim.log({ apiKey: key.apiKey });
    expect(signed.map((entry) => [entry.path, entry.verified, entry.status])).toEqual([
      ['/api/v3/brokerage/accounts', true, 200],
      ['/api/v3/brokerage/accounts', true, 200],
      ['/api/v3/brokerage/accounts', true, 200],
    ]);

    // Later syncs reuse the markets: only the account pages.
    sim.clearLog();
    await sync(key);
    expect(sim.log({ exchange: 'coinbase' })).toHaveLength(3);
  });

  it('reads every page of an Ed25519 key', async () => {
    const key = seed(ed25519Key());
    expect(key.secret).toHaveLength(88);
    expect(byAsset((await sync(key)).rows)).toEqual(EXPECTED_ROWS);
    expect(sim.log({ apiKey: key.apiKey }).map((entry) => entry.verified)).toEqual([true, true, true]);
  });

  it('reads a page size of one and an empty account list', async () => {
    const key = seed(es256Key());
    sim.ctx.coinbasePageSize = 1;
    try {
      expect(byAsset((await sync(key)).rows)).toEqual(EXPECTED_ROWS);
      expect(sim.log({ apiKey: key.apiKey })).toHaveLength(6);
    } finally {
      sim.ctx.coinbasePageSize = 2;
    }
    const empty = seed(es256Key(), { wallets: {} });
    expect(await sync(empty)).toEqual({ rows: [], warnings: [] });
  });

  it('serves the tickers ccxt reads prices from', async () => {
    const client = await createExchangeClient('coinbase', seed(es256Key()));
    const tickers = await client.fetchTickers(['BTC/USD', 'ETH/USD']);
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USD', 'ETH/USD']);
    expect(tickers['BTC/USD']?.last).toBe(64000.5);
    expect(client.markets?.['BTC/USDC']?.id).toBe('BTC-USDC');
  });

  it.each([
    ['ES256', es256Key],
    ['Ed25519', ed25519Key],
  ])('refuses a %s key signed with another private key, as auth', async (_type, makeKey) => {
    const registered = seed(makeKey());
    const impostor = { apiKey: registered.apiKey, secret: makeKey().secret };
    const error = await syncError(impostor);
    expect(classifyExchangeError(error).kind).toBe('auth');
    expect(sim.log({ apiKey: registered.apiKey }).map((entry) => [entry.verified, entry.status])).toEqual([
      [false, 401],
    ]);
  });

  it('refuses an unknown key name, as auth', async () => {
    const error = await syncError(es256Key());
    expect(classifyExchangeError(error).kind).toBe('auth');
    expect(sim.log({ exchange: 'coinbase' }).map((entry) => entry.verified)).toEqual([false]);
  });

  it('needs a pasted PEM with literal "\\n" normalised before ccxt can sign with it', async () => {
    const key = seed(es256Key());
    const pasted = { ...key, secret: (key.secret ?? '').replace(/\n/g, '\\n') };
    await expect(sync(pasted)).rejects.toThrow(/padding: invalid/);
    expect(sim.log({ apiKey: key.apiKey })).toHaveLength(0);

    const normalised = { ...key, secret: pasted.secret.replace(/\\n/g, '\n') };
    expect(byAsset((await sync(normalised)).rows)).toEqual(EXPECTED_ROWS);
  });
});

describe('coinbase failures, classified', () => {
  afterEach(() => {
    delete process.env.EXCHANGE_TIMEOUT_MS;
  });

  it.each<[FaultKind, ExchangeErrorKind, number]>([
    ['auth', 'auth', 401],
    ['forbidden', 'auth', 403],
    ['rate_limit', 'rate_limit', 429],
    ['ban', 'rate_limit', 429],
    ['server_error', 'transient', 500],
    ['bad_gateway', 'transient', 502],
    ['unavailable', 'transient', 503],
    ['gateway_timeout', 'transient', 504],
    ['html', 'malformed', 200],
    ['truncated', 'malformed', 200],
    ['clock_skew', 'clock', 401],
    ['nonce', 'clock', 401],
  ])('%s → %s', async (kind, expected, status) => {
    const key = seed(es256Key());
    sim.addFault(key.apiKey, { kind, retryAfterSeconds: 7 });
    const info = classifyExchangeError(await syncError(key));
    expect(info.kind).toBe(expected);
    if (expected === 'rate_limit') expect(info.retryAfterMs).toBe(7_000);
    expect(sim.log({ apiKey: key.apiKey }).map((entry) => [entry.status, entry.fault])).toEqual([[status, kind]]);
  });

  it('fails a malformed amount on a later page instead of returning part of the balance', async () => {
    const key = seed(es256Key(), {
      wallets: {
        spot: { BTC: { free: '1', used: '0' }, ETH: { free: '2', used: '0' }, SOL: { free: 'NaN', used: '0' } },
      },
    });
    expect(classifyExchangeError(await syncError(key)).kind).toBe('malformed');
    expect(sim.log({ apiKey: key.apiKey }).map((entry) => entry.status)).toEqual([200, 200]);
  });

  it('delay → transient (client timeout)', async () => {
    process.env.EXCHANGE_TIMEOUT_MS = '1500';
    const key = seed(es256Key());
    sim.addFault(key.apiKey, { kind: 'delay', delayMs: 3000 });
    expect(classifyExchangeError(await syncError(key)).kind).toBe('transient');
  });
});

describe('coinbase permission probe', () => {
  it('reads a view-only key as read-only', async () => {
    const key = seed(es256Key());
    expect(await probePermissions({ exchangeId: 'coinbase', credentials: key })).toEqual({
      read: true,
      trade: false,
      withdraw: false,
      transfer: false,
      ipRestricted: false,
    });
    expect(sim.log({ apiKey: key.apiKey }).map((entry) => [entry.path, entry.verified])).toEqual([
      ['/api/v3/brokerage/key_permissions', true],
    ]);
  });

  it('reads view + trade + transfer, and counts transfer as withdraw', async () => {
    const key = seed(ed25519Key(), {
      permissions: { read: true, trade: true, transfer: true, withdraw: false, ipRestricted: false },
    });
    expect(await probePermissions({ exchangeId: 'coinbase', credentials: key })).toEqual({
      read: true,
      trade: true,
      withdraw: true,
      transfer: true,
      ipRestricted: false,
    });
  });
});

describe('the simulator’s JWT checks', () => {
  const key = es256Key();
  const PATH = '/api/v3/brokerage/accounts';

  function token(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const input = [
      encode({ alg: 'ES256', typ: 'JWT', kid: key.apiKey, nonce: randomBytes(16).toString('hex'), ...header }),
      encode({
        aud: ['retail_rest_api_proxy'],
        iss: 'coinbase-cloud',
        nbf: now,
        exp: now + 120,
        sub: key.apiKey,
        iat: now,
        uri: `GET api.coinbase.com${PATH}`,
        ...claims,
      }),
    ].join('.');
    const signature = sign('sha256', Buffer.from(input), { key: key.secret ?? '', dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }

  async function call(jwt: string) {
    const response = await fetch(`${sim.url}/api.coinbase.com${PATH}?limit=250`, {
      headers: { Authorization: `Bearer ${jwt}` },
    });
    return { status: response.status, body: await response.text() };
  }

  beforeAll(() => seed(key));

  it('accepts a well-formed token', async () => {
    expect((await call(token({}))).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an expired token', { nbf: 1_000, exp: 1_120 }, 'request timestamp expired'],
    ['a token not valid yet', { nbf: Math.floor(Date.now() / 1000) + 60 }, 'request timestamp expired'],
    ['a token living longer than 120 s', { exp: Math.floor(Date.now() / 1000) + 600 }, 'request timestamp expired'],
    ['a uri with the query', { uri: `GET api.coinbase.com${PATH}?limit=250` }, 'token uri does not match'],
    ['a uri for another path', { uri: 'GET api.coinbase.com/api/v3/brokerage/key_permissions' }, 'token uri'],
    ['a uri with the scheme', { uri: `GET https://api.coinbase.com${PATH}` }, 'token uri'],
    ['another issuer', { iss: 'cdp' }, 'issuer or audience'],
    ['another subject', { sub: 'organizations/x/apiKeys/y' }, 'unknown api key'],
  ])('refuses %s', async (_name, claims, message) => {
    const answer = await call(token(claims));
    expect(answer.status).toBe(401);
    expect(answer.body).toContain(message);
  });

  it('refuses an EdDSA header on an EC key and a tampered signature', async () => {
    expect((await call(token({}, { alg: 'EdDSA' }))).status).toBe(401);
    const valid = token({});
    const tampered = `${valid.slice(0, -4)}${valid.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect(await call(tampered)).toMatchObject({ status: 401 });
    expect(sim.log({ apiKey: key.apiKey }).every((entry) => entry.verified === false)).toBe(true);
  });
});
