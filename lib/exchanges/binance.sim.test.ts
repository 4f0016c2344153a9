import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExchangeSimulator, READ_ONLY } from '@/lib/testing/exchange-simulator/server';
import type { FaultKind, SimAccount } from '@/lib/testing/exchange-simulator/types';
import { EARN_WARNING, FUNDING_WARNING } from './adapters/binance';
import { fetchBalances } from './balances';
import { clearSharedMarkets } from './client';
import { classifyExchangeError, type ExchangeErrorKind } from './errors';
import { probePermissions } from './permissions';
import type { BalanceRow } from './types';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';

// Unmodified ccxt against the simulator, which checks every signature with node:crypto.

const SECRET = 'sim-binance-secret-NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65X';
const SPOT_PATH = '/api/v3/account';

const WALLETS: SimAccount['wallets'] = {
  spot: {
    BTC: { free: '0.5', used: '0.1' },
    ETH: { free: '0.00000001', used: '0' },
    USDT: { free: '1234.56789012', used: '0' },
    LDO: { free: '3', used: '0' },
    XRP: { free: '0', used: '0' },
  },
  funding: {
    USDT: { free: '250', used: '5.5' },
    BNB: { free: '0.3', used: '0' },
  },
  earn: {
    BTC: { free: '0.25', used: '0.75' },
    ETH: { free: '0', used: '2' },
    SOL: { free: '10', used: '0' },
  },
};

const row = (wallet: string, asset: string, free: string, used: string, total: string): BalanceRow => ({
  asset,
  wallet,
  free,
  used,
  total,
});

const SPOT_ROWS = [
  row('spot', 'BTC', '0.5', '0.1', '0.6'),
  row('spot', 'ETH', '0.00000001', '0', '0.00000001'),
  row('spot', 'USDT', '1234.56789012', '0', '1234.56789012'),
  row('spot', 'LDO', '3', '0', '3'),
];
const FUNDING_ROWS = [row('funding', 'USDT', '250', '5.5', '255.5'), row('funding', 'BNB', '0.3', '0', '0.3')];
const EARN_ROWS = [
  row('earn', 'BTC', '0.25', '0.75', '1'),
  row('earn', 'ETH', '0', '2', '2'),
  row('earn', 'SOL', '10', '0', '10'),
];

const sorted = (rows: BalanceRow[]) =>
  [...rows].sort((a, b) => `${a.wallet}/${a.asset}`.localeCompare(`${b.wallet}/${b.asset}`));

let sim: ExchangeSimulator;
let keys = 0;

function account(overrides: Partial<SimAccount> = {}) {
  const apiKey = `binance-key-${++keys}-vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgw`;
  return sim.addAccount({ exchange: 'binance', apiKey, secret: SECRET, wallets: WALLETS, ...overrides });
}

const connection = (apiKey: string, secret = SECRET) => ({ exchangeId: 'binance', credentials: { apiKey, secret } });

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('expected the read to fail');
    },
    (e: unknown) => e,
  );
  return classifyExchangeError(error, [SECRET]);
}

const paths = (apiKey: string) => sim.log({ apiKey }).map((e) => `${e.method} ${e.path}`);

// Every exchange request draws from the installation's budget, kept in the database.
withTestDatabase();
withSimulator((s) => (sim = s));

describe('binance balances', () => {
  it('reads spot, funding and earn exactly as seeded, without counting earn receipts twice', async () => {
    const { apiKey } = account();
    const result = await fetchBalances(connection(apiKey));
    expect(result.warnings).toEqual([]);
    expect(sorted(result.rows)).toEqual(sorted([...SPOT_ROWS, ...FUNDING_ROWS, ...EARN_ROWS]));
    expect(sim.log({ apiKey }).every((e) => e.verified === true && e.status === 200)).toBe(true);
  });

  it('makes one keyless request per process for markets, then one per wallet read per sync', async () => {
    clearSharedMarkets();
    sim.clearLog();
    const { apiKey } = account();
    await fetchBalances(connection(apiKey));
    const keyless = sim.log().filter((e) => e.apiKey === null);
    expect(keyless.map((e) => `${e.method} ${e.host}${e.path}`)).toEqual(['GET api.binance.com/api/v3/exchangeInfo']);
    expect(paths(apiKey)).toEqual([
      `GET ${SPOT_PATH}`,
      'POST /sapi/v1/asset/get-funding-asset',
      'GET /sapi/v1/simple-earn/flexible/position',
      'GET /sapi/v1/simple-earn/locked/position',
    ]);

    sim.clearLog();
    await fetchBalances(connection(apiKey));
    expect(sim.log().filter((e) => e.apiKey === null)).toEqual([]);
    expect(sim.log({ apiKey })).toHaveLength(4);
  });

  it('pages through Simple Earn positions', async () => {
    const earn = Object.fromEntries(
      Array.from({ length: 130 }, (_, i) => [`E${i}COIN`, { free: `${i + 1}.5`, used: '0' }]),
    );
    const { apiKey } = account({ wallets: { spot: WALLETS.spot!, earn } });
    const result = await fetchBalances(connection(apiKey));
    expect(result.rows.filter((r) => r.wallet === 'earn')).toHaveLength(130);
    expect(result.rows.find((r) => r.asset === 'E129COIN')).toMatchObject({ wallet: 'earn', total: '130.5' });
    expect(paths(apiKey).filter((p) => p.includes('flexible'))).toHaveLength(2);
  });

  it('refuses a wrong secret in the simulator, and that is an auth error', async () => {
    const { apiKey } = account();
    const info = await failure(fetchBalances(connection(apiKey, `${SECRET}-wrong`)));
    expect(info.kind).toBe('auth');
    expect(sim.log({ apiKey })).toMatchObject([{ path: SPOT_PATH, verified: false, status: 400 }]);
  });

  it('refuses a key without the reading permission', async () => {
    const { apiKey } = account({ permissions: { ...READ_ONLY, read: false } });
    expect((await failure(fetchBalances(connection(apiKey)))).kind).toBe('auth');
    expect(sim.log({ apiKey })).toMatchObject([{ status: 401, verified: false }]);
  });

  it('accepts an Ed25519 key, verified as such', async () => {
    const { privateKey } = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const { apiKey } = account({ secret: privateKey, wallets: { spot: WALLETS.spot! } });
    expect((await probePermissions(connection(apiKey, privateKey))) as object).toMatchObject({ read: true });
    expect(sim.log({ apiKey })).toMatchObject([{ verified: true, status: 200 }]);
  });
});

describe('binance faults on the spot read', () => {
  afterEach(() => {
    delete process.env.EXCHANGE_TIMEOUT_MS;
  });

  const cases: [FaultKind, ExchangeErrorKind][] = [
    ['auth', 'auth'],
    // Binance's 403 is its web application firewall, not a key problem.
    ['forbidden', 'transient'],
    ['server_error', 'transient'],
    ['bad_gateway', 'transient'],
    ['unavailable', 'transient'],
    ['gateway_timeout', 'transient'],
    ['html', 'malformed'],
    ['truncated', 'malformed'],
    ['nonce', 'clock'],
    ['clock_skew', 'clock'],
  ];

  it.each(cases)('%s → %s', async (fault, kind) => {
    const { apiKey } = account();
    sim.addFault(apiKey, { kind: fault, pathIncludes: SPOT_PATH });
    expect((await failure(fetchBalances(connection(apiKey)))).kind).toBe(kind);
    // A failed spot read stops the sync: nothing else is asked for.
    expect(paths(apiKey)).toEqual([`GET ${SPOT_PATH}`]);
  });

  it('429 is a rate limit, retried after Retry-After', async () => {
    const { apiKey } = account();
    sim.addFault(apiKey, { kind: 'rate_limit', retryAfterSeconds: 30 });
    const info = await failure(fetchBalances(connection(apiKey)));
    expect(info).toMatchObject({ kind: 'rate_limit', retryAfterMs: 30_000 });
  });

  it('418 (IP ban) is a rate limit until the ban ends', async () => {
    const { apiKey } = account();
    sim.addFault(apiKey, { kind: 'ban', retryAfterSeconds: 600 });
    const info = await failure(fetchBalances(connection(apiKey)));
    expect(info.kind).toBe('rate_limit');
    expect(info.retryAfterMs).toBeGreaterThan(590_000);
    expect(info.retryAfterMs).toBeLessThanOrEqual(600_000);
  });

  it('an answer slower than the client timeout is transient', async () => {
    const { apiKey } = account();
    await fetchBalances(connection(apiKey)); // shared markets loaded before the timeout is lowered
    process.env.EXCHANGE_TIMEOUT_MS = '1500';
    sim.addFault(apiKey, { kind: 'delay', delayMs: 3000, pathIncludes: SPOT_PATH });
    expect((await failure(fetchBalances(connection(apiKey)))).kind).toBe('transient');
  });
});

describe('binance faults on optional wallets', () => {
  const withoutEarn = [...SPOT_ROWS, ...FUNDING_ROWS];

  it.each([
    ['funding', 'server_error', '/sapi/v1/asset/get-funding-asset', FUNDING_WARNING],
    ['funding', 'html', '/sapi/v1/asset/get-funding-asset', FUNDING_WARNING],
    ['earn', 'truncated', '/sapi/v1/simple-earn/locked', EARN_WARNING],
    ['earn', 'auth', '/sapi/v1/simple-earn/flexible', EARN_WARNING],
  ] as const)('%s %s → a warning, the sync goes on', async (wallet, kind, pathIncludes, warning) => {
    const { apiKey } = account();
    sim.addFault(apiKey, { kind, pathIncludes });
    const result = await fetchBalances(connection(apiKey));
    expect(result.warnings).toEqual([warning]);
    if (wallet === 'funding') {
      expect(sorted(result.rows)).toEqual(sorted([...SPOT_ROWS, ...EARN_ROWS]));
    } else {
      // Without the earn wallet, the spot account's earn receipts are all there is of it.
      const receipts = [row('spot', 'LDBTC', '0.25', '0', '0.25'), row('spot', 'LDSOL', '10', '0', '10')];
      expect(sorted(result.rows)).toEqual(sorted([...withoutEarn, ...receipts]));
    }
  });
});

describe('binance key permissions', () => {
  it('reads a read-only key', async () => {
    const { apiKey } = account();
    expect(await probePermissions(connection(apiKey))).toEqual({
      read: true,
      trade: false,
      withdraw: false,
      transfer: false,
      ipRestricted: false,
    });
    expect(sim.log({ apiKey })).toMatchObject([
      { method: 'GET', path: '/sapi/v1/account/apiRestrictions', verified: true, status: 200 },
    ]);
  });

  it('reads a trading, withdrawing, IP-restricted key', async () => {
    const { apiKey } = account({
      permissions: { read: true, trade: true, withdraw: true, transfer: false, ipRestricted: true },
    });
    expect(await probePermissions(connection(apiKey))).toEqual({
      read: true,
      trade: true,
      withdraw: true,
      transfer: false,
      ipRestricted: true,
    });
  });

  it('classifies a refused probe as auth', async () => {
    const { apiKey } = account();
    expect((await failure(probePermissions(connection(apiKey, `${SECRET}x`)))).kind).toBe('auth');
  });
});
