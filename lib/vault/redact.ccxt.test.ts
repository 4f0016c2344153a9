import { generateKeyPairSync } from 'node:crypto';
import { format } from 'node:util';
import ccxt, { type Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectTransport } from '@/lib/exchanges/redirect';
import { startHttpServer } from '@/lib/testing/http-server';
import { redactSecrets, safeErrorMessage } from './redact';

// Real ccxt talking HTTP to a local server that misbehaves the way exchanges do. The messages and
// logs below are whatever ccxt produces, not hand-written strings.
const canary = {
  apiKey: 'CANARYKEYvmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7',
  // Valid base64, because Kraken decodes its secret before signing.
  secret: 'CANARYSECRETNhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqq',
  password: 'CANARY-passphrase-42',
};
const rsaPem = generateKeyPairSync('ec', {
  namedCurve: 'prime256v1',
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

type Behaviour = 'html500' | 'html403' | 'hang' | 'json401';
let behaviour: Behaviour = 'html500';
let server: Awaited<ReturnType<typeof startHttpServer>>;

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (behaviour === 'hang') return; // never answers: ccxt's own timeout fires
    if (behaviour === 'json401') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }));
      return;
    }
    const status = behaviour === 'html403' ? 403 : 500;
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${status}</h1>cloudflare says no</body></html>`);
  });
});
afterAll(() => server.close());

function make(id: 'binance' | 'htx' | 'kucoin' | 'okx' | 'kraken', verbose = false) {
  const ExchangeClass = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[id]!;
  const exchange = new ExchangeClass({ ...canary, timeout: 400, enableRateLimit: false });
  redirectTransport(exchange, server.url);
  const logs: string[] = [];
  if (verbose) {
    exchange.verbose = true;
    (exchange as unknown as { log: (...args: unknown[]) => void }).log = (...args) => logs.push(format(...args));
  }
  return { exchange, logs };
}

const privateCalls: Record<string, (e: Exchange) => Promise<unknown>> = {
  binance: (e) => (e as unknown as { privateGetAccount: () => Promise<unknown> }).privateGetAccount(),
  htx: (e) =>
    (e as unknown as { spotPrivateGetV1AccountAccounts: () => Promise<unknown> }).spotPrivateGetV1AccountAccounts(),
  kucoin: (e) => (e as unknown as { privateGetAccounts: () => Promise<unknown> }).privateGetAccounts(),
  okx: (e) => (e as unknown as { privateGetAccountBalance: () => Promise<unknown> }).privateGetAccountBalance(),
  kraken: (e) => (e as unknown as { privatePostBalance: () => Promise<unknown> }).privatePostBalance(),
};

async function failure(id: keyof typeof privateCalls, verbose = false) {
  const { exchange, logs } = make(id as 'binance', verbose);
  try {
    await privateCalls[id]!(exchange);
  } catch (error) {
    return { error: error as Error, logs, exchange };
  }
  throw new Error(`${id}: expected the call to fail`);
}

const forbidden = [canary.apiKey, canary.secret, canary.password, encodeURIComponent(canary.password)];
const leakPatterns = [/signature=[0-9a-f]{16}/i, /AccessKeyId=CANARY/, /timestamp=\d{10}/, /recvWindow=\d/];

function expectClean(text: string) {
  for (const value of forbidden) expect(text).not.toContain(value);
  for (const pattern of leakPatterns) expect(text).not.toMatch(pattern);
}

describe('redaction of what ccxt really produces', () => {
  it.each<Behaviour>(['html500', 'html403', 'hang'])('Binance %s: the signed query is removed', async (mode) => {
    behaviour = mode;
    const { error } = await failure('binance');
    // The leak is real: ccxt puts the signed URL in the message.
    expect(error.message).toMatch(/signature=[0-9a-f]{64}/);
    expect(error.message).toMatch(/timestamp=\d+/);
    const safe = safeErrorMessage(error, Object.values(canary));
    expectClean(safe);
    expect(safe).toMatch(/^(ExchangeNotAvailable|RequestTimeout): binance GET/);
    // Without being told the secrets, the patterns alone still strip the signed query.
    expectClean(redactSecrets(error.message));
  });

  it('HTX 500: the api key in AccessKeyId= is removed even when not named', async () => {
    behaviour = 'html500';
    const { error } = await failure('htx');
    expect(error.message).toContain(`AccessKeyId=${canary.apiKey}`);
    expect(error.message).toMatch(/Signature=/);
    expectClean(redactSecrets(error.message));
    expectClean(safeErrorMessage(error, Object.values(canary)));
  });

  it('Binance JSON auth error keeps the useful part of the message', async () => {
    behaviour = 'json401';
    const { error } = await failure('binance');
    const safe = safeErrorMessage(error, Object.values(canary));
    expect(safe).toContain('Invalid API-key, IP, or permissions for action.');
    expectClean(safe);
  });

  it.each(['kucoin', 'okx', 'kraken', 'binance'] as const)(
    '%s verbose logs: auth headers and keys are removed',
    async (id) => {
      behaviour = 'html500';
      const { logs } = await failure(id, true);
      const log = logs.join('\n');
      expect(log).toContain(canary.apiKey); // verbose mode really does print the key…
      if (id === 'okx') expect(log).toContain(canary.password); // …and OKX's plaintext passphrase
      expectClean(redactSecrets(log, Object.values(canary), 100_000));
      // Header names stay, so the log still says what was sent.
      if (id === 'kucoin') expect(redactSecrets(log, [], 100_000)).toMatch(/KC-API-SIGN'?: '?\[redacted\]/);
      expectClean(redactSecrets(log, [], 100_000).replaceAll(canary.secret, ''));
    },
  );

  it('a serialised exchange object gives up every credential unless redacted', async () => {
    const { exchange } = make('kucoin');
    const dump = JSON.stringify(exchange);
    expect(dump).toContain(canary.secret);
    expectClean(redactSecrets(dump, Object.values(canary), Number.MAX_SAFE_INTEGER));
  });

  it('removes PEM keys (real or escaped line breaks), bearer JWTs and capped long text', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJvcmdhbml6YXRpb25zL2tleSJ9.c2lnbmF0dXJlLWJ5dGVz';
    const text = `key ${rsaPem} escaped ${JSON.stringify(rsaPem)} header Authorization: Bearer ${jwt} bare ${jwt}`;
    const safe = redactSecrets(text, [], 10_000);
    expect(safe).not.toContain('PRIVATE KEY-----\n');
    expect(safe).not.toMatch(/BEGIN EC PRIVATE KEY/);
    expect(safe).not.toContain(jwt);
    expect(redactSecrets('x'.repeat(5000)).length).toBeLessThanOrEqual(1001);
  });
});
