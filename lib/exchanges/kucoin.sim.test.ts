import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExchangeSimulator, READ_ONLY } from '@/lib/testing/exchange-simulator/server';
import type { FaultKind, SimAccount } from '@/lib/testing/exchange-simulator/types';
import { MAIN_WALLET_WARNING } from './adapters/kucoin';
import { loadExchangeClass } from './ccxt-loader';
import { fetchBalances } from './balances';
import { clearSharedMarkets } from './client';
import { classifyExchangeError } from './errors';
import { probePermissions } from './permissions';
import { redirectTransport } from './redirect';
import type { BalanceRow } from './types';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';

let sim: ExchangeSimulator;

const CLASSIC = { apiKey: 'kc-classic', secret: 'classic-secret', passphrase: 'classic-pass' };
const HF = { apiKey: 'kc-hf', secret: 'hf-secret', passphrase: 'hf-pass' };

const CLASSIC_WALLETS: SimAccount['wallets'] = {
  trade: {
    BTC: { free: '0.5', used: '0.125' },
    USDT: { free: '1000.00000001', used: '0' },
    DUST: { free: '0', used: '0' },
  },
  main: { ETH: { free: '2.75', used: '0' }, USDT: { free: '10', used: '0.5' } },
};

const HF_WALLETS: SimAccount['wallets'] = {
  // After the migration KuCoin's classic trade account is empty; the holdings are in trade_hf.
  trade: {},
  trade_hf: { BTC: { free: '1.2', used: '0.3' }, KCS: { free: '42', used: '0' } },
  main: { USDC: { free: '5', used: '0' } },
};

const credentials = (key: { apiKey: string; secret: string; passphrase: string }) => ({
  apiKey: key.apiKey,
  secret: key.secret,
  password: key.passphrase,
});

const sync = (key = CLASSIC) => fetchBalances({ exchangeId: 'kucoin', credentials: credentials(key) });

const sorted = (rows: BalanceRow[]) =>
  [...rows].sort((a, b) => `${a.wallet}:${a.asset}`.localeCompare(`${b.wallet}:${b.asset}`));

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

// Every exchange request draws from the installation's budget, kept in the database.
withTestDatabase();
withSimulator((s) => (sim = s));

beforeEach(() => {
  sim.reset();
  sim.ctx.tickers.kucoin = { 'BTC/USDT': '64000.5', 'ETH/USDT': '3100.25', 'KCS/USDT': '9.8' };
  sim.addAccount({ exchange: 'kucoin', ...CLASSIC, wallets: structuredClone(CLASSIC_WALLETS) });
  sim.addAccount({ exchange: 'kucoin', ...HF, wallets: structuredClone(HF_WALLETS), highFrequency: true });
});

afterEach(() => {
  delete process.env.EXCHANGE_TIMEOUT_MS;
});

describe('KuCoin balances through the simulator', () => {
  it('reads the trade and main wallets of a classic account as decimal strings', async () => {
    const result = await sync(CLASSIC);
    expect(result.warnings).toEqual([]);
    expect(sorted(result.rows)).toEqual([
      { asset: 'ETH', wallet: 'main', free: '2.75', used: '0', total: '2.75' },
      { asset: 'USDT', wallet: 'main', free: '10', used: '0.5', total: '10.5' },
      { asset: 'BTC', wallet: 'trade', free: '0.5', used: '0.125', total: '0.625' },
      { asset: 'USDT', wallet: 'trade', free: '1000.00000001', used: '0', total: '1000.00000001' },
    ]);
    expect(sim.log({ apiKey: CLASSIC.apiKey }).every((entry) => entry.verified === true)).toBe(true);
  });

  it('reads an HF-migrated account from trade_hf, not as empty', async () => {
    const result = await sync(HF);
    expect(result.warnings).toEqual([]);
    expect(sorted(result.rows)).toEqual([
      { asset: 'USDC', wallet: 'main', free: '5', used: '0', total: '5' },
      { asset: 'BTC', wallet: 'trade', free: '1.2', used: '0.3', total: '1.5' },
      { asset: 'KCS', wallet: 'trade', free: '42', used: '0', total: '42' },
    ]);
  });

  it('makes three signed requests per sync, after two public ones per process for shared markets', async () => {
    clearSharedMarkets();
    sim.clearLog();
    await sync(CLASSIC);
    const paths = (entries: ReturnType<ExchangeSimulator['log']>) => entries.map((e) => `${e.method} ${e.path}`);
    const publicRequests = sim.log({ exchange: 'kucoin' }).filter((e) => e.apiKey === null);
    expect(paths(publicRequests).sort()).toEqual(['GET /api/v2/symbols', 'GET /api/v3/currencies']);
    expect(paths(sim.log({ apiKey: CLASSIC.apiKey }))).toEqual([
      'GET /api/v1/hf/accounts/opened',
      'GET /api/v1/accounts',
      'GET /api/v1/accounts',
    ]);

    sim.clearLog();
    await sync(HF);
    expect(sim.log({ exchange: 'kucoin' })).toHaveLength(3);
    expect(sim.log({ apiKey: HF.apiKey }).every((entry) => entry.verified === true)).toBe(true);
  });

  it('refuses a wrong secret (bad signature) and classifies it as auth', async () => {
    const error = await failure(sync({ ...CLASSIC, secret: 'not-the-secret' }));
    expect(String(error)).toContain('400005');
    expect(classifyExchangeError(error).kind).toBe('auth');
    const entries = sim.log({ apiKey: CLASSIC.apiKey });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry) => entry.verified === false)).toBe(true);
  });

  it('refuses a wrong passphrase and classifies it as auth', async () => {
    const error = await failure(sync({ ...CLASSIC, passphrase: 'not-the-passphrase' }));
    expect(String(error)).toContain('400004');
    expect(classifyExchangeError(error).kind).toBe('auth');
    expect(sim.log({ apiKey: CLASSIC.apiKey }).every((entry) => entry.verified === false)).toBe(true);
  });

  it('refuses an unknown key and classifies it as auth', async () => {
    const error = await failure(sync({ ...CLASSIC, apiKey: 'kc-nobody' }));
    expect(String(error)).toContain('400003');
    expect(classifyExchangeError(error).kind).toBe('auth');
  });

  it.each<[FaultKind, string]>([
    ['auth', 'auth'],
    ['forbidden', 'auth'],
    ['server_error', 'transient'],
    ['bad_gateway', 'transient'],
    ['unavailable', 'transient'],
    ['gateway_timeout', 'transient'],
    ['nonce', 'clock'],
    ['clock_skew', 'clock'],
  ])('maps a %s fault to %s', async (kind, expected) => {
    sim.addFault(CLASSIC.apiKey, { kind, remaining: 3 });
    const error = await failure(sync(CLASSIC));
    expect(classifyExchangeError(error).kind).toBe(expected);
  });

  it.each<FaultKind>(['rate_limit', 'ban'])(
    'maps a %s fault (429, code 429000) to rate_limit with Retry-After',
    async (kind) => {
      sim.addFault(CLASSIC.apiKey, { kind, remaining: 3, retryAfterSeconds: 7 });
      const error = await failure(sync(CLASSIC));
      expect(String(error)).toContain('429000');
      expect(classifyExchangeError(error)).toMatchObject({ kind: 'rate_limit', retryAfterMs: 7000 });
    },
  );

  it('maps an answer slower than the timeout to transient', async () => {
    process.env.EXCHANGE_TIMEOUT_MS = '1500';
    sim.addFault(CLASSIC.apiKey, { kind: 'delay', delayMs: 3000, remaining: 3 });
    const error = await failure(sync(CLASSIC));
    expect(classifyExchangeError(error).kind).toBe('transient');
  });

  // The HF status and the main wallet go out first, so the second /api/v1/accounts request is the trade read.
  it.each<FaultKind>(['html', 'truncated'])(
    'fails the sync on a %s 200 for the trade wallet (malformed)',
    async (kind) => {
      sim.addFault(CLASSIC.apiKey, { kind, remaining: 2, pathIncludes: '/api/v1/accounts' });
      const error = await failure(sync(CLASSIC));
      expect(classifyExchangeError(error).kind).toBe('malformed');
      expect(sim.log({ apiKey: CLASSIC.apiKey }).filter((e) => e.fault === kind)).toHaveLength(2);
    },
  );

  it('fails on an unreadable HF status instead of reading an HF account as classic', async () => {
    sim.addFault(HF.apiKey, { kind: 'html', pathIncludes: '/api/v1/hf/accounts/opened' });
    const error = await failure(sync(HF));
    expect(classifyExchangeError(error).kind).toBe('malformed');
  });

  it.each<FaultKind>(['server_error', 'html', 'rate_limit'])(
    'keeps the trade wallet and warns when only the main wallet fails (%s)',
    async (kind) => {
      // The main wallet is the first /api/v1/accounts request of a sync.
      sim.addFault(CLASSIC.apiKey, { kind, pathIncludes: '/api/v1/accounts' });
      const result = await sync(CLASSIC);
      expect(result.warnings).toEqual([MAIN_WALLET_WARNING]);
      expect(result.rows.every((row) => row.wallet === 'trade')).toBe(true);
      expect(result.rows.map((row) => row.asset).sort()).toEqual(['BTC', 'USDT']);
    },
  );
});

describe('KuCoin key permissions through the simulator', () => {
  it('reads a General-only key as read-only', async () => {
    const probe = await probePermissions({ exchangeId: 'kucoin', credentials: credentials(CLASSIC) });
    expect(probe).toEqual({ read: true, trade: false, withdraw: false, transfer: false, ipRestricted: false });
    expect(sim.log({ apiKey: CLASSIC.apiKey }).map((e) => [e.path, e.verified])).toEqual([
      ['/api/v1/user/api-key', true],
    ]);
  });

  it('reads a Spot + Transfer key with an IP whitelist', async () => {
    const key = { apiKey: 'kc-trader', secret: 'trader-secret', passphrase: 'trader-pass' };
    sim.addAccount({
      exchange: 'kucoin',
      ...key,
      permissions: { ...READ_ONLY, trade: true, withdraw: true, transfer: true, ipRestricted: true },
    });
    const probe = await probePermissions({ exchangeId: 'kucoin', credentials: credentials(key) });
    expect(probe).toEqual({ read: true, trade: true, withdraw: true, transfer: true, ipRestricted: true });
  });

  it('reads an InnerTransfer-only key as able to move funds but not withdraw', async () => {
    const key = { apiKey: 'kc-mover', secret: 'mover-secret', passphrase: 'mover-pass' };
    sim.addAccount({ exchange: 'kucoin', ...key, permissions: { ...READ_ONLY, transfer: true } });
    const probe = await probePermissions({ exchangeId: 'kucoin', credentials: credentials(key) });
    expect(probe).toEqual({ read: true, trade: false, withdraw: false, transfer: true, ipRestricted: false });
  });
});

describe('KuCoin simulator signature checks (node:crypto, no ccxt)', () => {
  const hmac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64');

  /** A request signed the way KuCoin documents it, with knobs to break one part at a time. */
  async function signedGet(
    endpoint: string,
    overrides: { timestamp?: number; version?: string; passphrase?: string } = {},
  ) {
    const timestamp = String(overrides.timestamp ?? Date.now());
    const version = overrides.version ?? '2';
    const passphrase = overrides.passphrase ?? CLASSIC.passphrase;
    const response = await fetch(`${sim.url}/api.kucoin.com${endpoint}`, {
      headers: {
        'KC-API-KEY': CLASSIC.apiKey,
        'KC-API-TIMESTAMP': timestamp,
        'KC-API-KEY-VERSION': version,
        'KC-API-SIGN': hmac(CLASSIC.secret, `${timestamp}GET${endpoint}`),
        'KC-API-PASSPHRASE': version === '1' ? passphrase : hmac(CLASSIC.secret, passphrase),
      },
    });
    return { status: response.status, body: (await response.json()) as { code: string; data?: unknown } };
  }

  it('accepts a correctly signed request and answers rows of the requested type only', async () => {
    const { status, body } = await signedGet('/api/v1/accounts?type=main');
    expect(status).toBe(200);
    expect(body.code).toBe('200000');
    expect(body.data).toEqual([
      expect.objectContaining({ currency: 'ETH', type: 'main', balance: '2.75', available: '2.75', holds: '0' }),
      expect.objectContaining({ currency: 'USDT', type: 'main', balance: '10.5', available: '10', holds: '0.5' }),
    ]);
  });

  it('refuses a timestamp more than 5 s away with 400002', async () => {
    for (const offset of [-6_000, 6_000]) {
      const { body } = await signedGet('/api/v1/accounts?type=trade', { timestamp: Date.now() + offset });
      expect(body.code).toBe('400002');
    }
  });

  it('checks the passphrase as HMAC for v2 keys and plain for v1', async () => {
    expect((await signedGet('/api/v1/hf/accounts/opened', { version: '1' })).body).toMatchObject({ data: false });
    expect((await signedGet('/api/v1/hf/accounts/opened', { passphrase: 'wrong' })).body.code).toBe('400004');
  });

  it('asks for the headers on an unsigned private request', async () => {
    const response = await fetch(`${sim.url}/api.kucoin.com/api/v1/accounts?type=trade`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('400001');
  });
});

describe('KuCoin simulator with ccxt defaults (no adapter options, no shared markets)', () => {
  it('serves the whole default keyed sequence and the balance', async () => {
    const Kucoin = await loadExchangeClass('kucoin');
    const client = new Kucoin({ ...credentials(CLASSIC), enableRateLimit: false });
    redirectTransport(client, sim.url);
    sim.clearLog();
    const balance = await client.fetchBalance();
    expect(balance.total).toMatchObject({ BTC: 0.625, USDT: 1000.00000001 });
    expect(sim.log({ exchange: 'kucoin' })).toHaveLength(9);
    expect(sim.log({ apiKey: CLASSIC.apiKey }).every((entry) => entry.verified === true)).toBe(true);
    const tickers = await client.fetchTickers(['BTC/USDT']);
    expect(tickers['BTC/USDT']?.last).toBe(64000.5);
  });
});
