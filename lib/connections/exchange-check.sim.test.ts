// `npm run exchange:check` run as an operator runs it: a separate process, the key in its environment or
// on standard input, every exchange request going to the simulator through EXCHANGE_API_OVERRIDE.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, startSimulator, type ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { binanceAccount, BINANCE_SECRET } from '@/lib/testing/fixtures';
import { KEY_ON_COMMAND_LINE, parseCheckArguments, UsageError } from './exchange-check';

const ROOT = path.join(import.meta.dirname, '../..');
let sim: ExchangeSimulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The npm script's command, with only the environment given here (no key inherited from the test's). */
function exchangeCheck(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['--conditions=react-server', 'lib/connections/exchange-check-cli.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', EXCHANGE_API_OVERRIDE: sim.url, ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

function expectNeverPrinted(run: Run, ...secrets: string[]) {
  for (const secret of secrets) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

// Each case runs its own process, at the same time as the others; each looks only at its own key's requests.
describe.concurrent('npm run exchange:check', { timeout: 60_000 }, () => {
  it('reports what a read-only Binance key can read and that it is read-only, printing only its last four characters', async () => {
    const account = binanceAccount(sim);
    const run = await exchangeCheck(['--exchange', 'binance'], {
      EXCHANGE_API_KEY: account.apiKey,
      EXCHANGE_SECRET: BINANCE_SECRET,
    });
    expect(run.stdout.trim().split('\n')).toEqual([
      'Exchange:    Binance (binance)',
      `API key:     …${account.apiKey.slice(-4)}`,
      'Can read:    3 assets in 2 wallets (funding, spot)',
      'Permissions: read-only (read yes, trade no, withdraw no, transfer no, IP-restricted no)',
      'Result:      Coinsphere would accept this key.',
    ]);
    expect(run.code).toBe(0);
    // The same requests the Test connection button makes: the permission probe, then the balance read.
    expect(account.requests()[0]).toBe('GET /sapi/v1/account/apiRestrictions');
    expect(account.requests()).toContain('GET /api/v3/account');
    expectNeverPrinted(run, account.apiKey, BINANCE_SECRET);
  });

  it('says a key that can withdraw would be refused, with exit code 1', async () => {
    const account = binanceAccount(sim, { permissions: { trade: true, withdraw: true } });
    const run = await exchangeCheck(['--exchange', 'binance', '--json'], {
      EXCHANGE_API_KEY: account.apiKey,
      EXCHANGE_SECRET: BINANCE_SECRET,
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      usable: false,
      readOnly: false,
      keyHint: account.apiKey.slice(-4),
      problem: expect.stringMatching(/^This API key can withdraw funds, so Coinsphere will not store it\./),
    });
    expect(account.requests()).not.toContain('GET /api/v3/account');
    expectNeverPrinted(run, account.apiKey, BINANCE_SECRET);
  });

  it('reads a KuCoin key with its passphrase from standard input and reports that it can trade', async () => {
    const key = { apiKey: `kucoin-${randomBytes(12).toString('hex')}`, secret: randomBytes(18).toString('hex') };
    const passphrase = `pass ${randomBytes(6).toString('hex')}`;
    sim.addAccount({
      exchange: 'kucoin',
      ...key,
      passphrase,
      wallets: { trade: { BTC: { free: '1', used: '0' } }, main: { USDT: { free: '10', used: '0' } } },
      permissions: { ...READ_ONLY, trade: true },
    });
    const run = await exchangeCheck(
      ['--exchange', 'kucoin', '--stdin'],
      {},
      JSON.stringify({ ...key, passphrase: `“${passphrase}”` }),
    );
    expect(run.stdout).toContain('Can read:    2 assets in 2 wallets');
    expect(run.stdout).toContain(
      'Permissions: NOT read-only (read yes, trade yes, withdraw no, transfer no, IP-restricted no)',
    );
    expect(run.stdout).toContain('Result:      Coinsphere would accept this key once the user confirms it may trade.');
    expect(run.code).toBe(0);
    expectNeverPrinted(run, key.apiKey, key.secret, passphrase);
  });

  it('refuses a key on the command line before reading anything, without echoing it', async () => {
    const runs = await Promise.all([
      exchangeCheck(['--exchange', 'binance', '--key', 'cli-key-123456'], {}),
      exchangeCheck(['--exchange', 'binance', 'cli-key-123456'], {}),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(KEY_ON_COMMAND_LINE);
      expectNeverPrinted(run, 'cli-key-123456');
    }
    expect(sim.log({ apiKey: 'cli-key-123456' })).toEqual([]);
  });

  it('names the field of a key the app would refuse on its form, before any request', async () => {
    const run = await exchangeCheck(['--exchange', 'binance'], {
      EXCHANGE_API_KEY: 'abcdЕfgh1234',
      EXCHANGE_SECRET: BINANCE_SECRET,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('credentials.apiKey: The API key can only hold the characters of a key');
    expect(run.stdout).toContain('Result:      Coinsphere would refuse this key. Check the highlighted fields.');
    expect(sim.log().filter((entry) => entry.apiKey?.startsWith('abcd'))).toEqual([]);
    expectNeverPrinted(run, BINANCE_SECRET);
  });
});

describe('exchange:check arguments', () => {
  it.each([
    ['--key', 'k'],
    ['--api-key=k'],
    ['--apiKey', 'k'],
    ['--secret', 's'],
    ['--passphrase', 'p'],
    ['--password=p'],
    ['--private-key-file', 'key.pem'],
  ])('refuses %s', (...argv) => {
    expect(() => parseCheckArguments(['--exchange', 'binance', ...argv])).toThrow(new UsageError(KEY_ON_COMMAND_LINE));
  });

  it('needs a known exchange', () => {
    expect(() => parseCheckArguments([])).toThrow(/--exchange is required/);
    expect(() => parseCheckArguments(['--exchange', 'mtgox'])).toThrow(/"mtgox" is not an exchange/);
    expect(parseCheckArguments(['--exchange', 'kraken', '--json'])).toEqual({
      exchangeId: 'kraken',
      sandbox: false,
      fromStdin: false,
      json: true,
    });
  });
});
