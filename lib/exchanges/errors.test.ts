import { errors } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { classifyExchangeError, RETRY_AFTER, retryAfterFromHeaders } from './errors';
import { MalformedResponseError } from './malformed';

describe('classifyExchangeError', () => {
  it.each([
    [new errors.AuthenticationError('binance {"code":-2015,"msg":"Invalid API-key"}'), 'auth'],
    [new errors.PermissionDenied('kraken {"error":["EGeneral:Permission denied"]}'), 'auth'],
    [new errors.AccountSuspended('kucoin 411100'), 'auth'],
    [new errors.ExchangeError('kraken {"error":["EAPI:Invalid signature"]}'), 'auth'],
    [new errors.ExchangeError('kucoin {"code":"400004","msg":"Invalid KC-API-PASSPHRASE"}'), 'auth'],
    [new errors.RateLimitExceeded('coinbase rate_limit_exceeded'), 'rate_limit'],
    [new errors.DDoSProtection('binance 429'), 'rate_limit'],
    [new errors.ExchangeError('kucoin {"code":"429000","msg":"Too many requests"}'), 'rate_limit'],
    [new errors.InvalidNonce('binance {"code":-1021}'), 'clock'],
    [
      new errors.AuthenticationError(
        'binance {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}',
      ),
      'clock',
    ],
    [new errors.ExchangeError('kraken {"error":["EAPI:Invalid nonce"]}'), 'clock'],
    [
      new errors.RequestTimeout('binance GET https://api.binance.com/api/v3/account request timed out (30000 ms)'),
      'transient',
    ],
    [new errors.ExchangeNotAvailable('kraken 503 Service Unavailable'), 'transient'],
    [new errors.OnMaintenance('kucoin maintenance'), 'transient'],
    [new errors.NetworkError('fetch failed'), 'transient'],
    [new MalformedResponseError('unreadable'), 'malformed'],
    [new errors.BadResponse('bad'), 'malformed'],
    [new TypeError("Cannot read properties of undefined (reading 'map')"), 'malformed'],
    [new errors.InsufficientFunds('nope'), 'other'],
  ])('%s → %s', (error, kind) => {
    expect(classifyExchangeError(error).kind).toBe(kind);
  });

  it('reads a Binance 418 ban-until as the wait', () => {
    const until = Date.now() + 5 * 60_000;
    const info = classifyExchangeError(
      new errors.DDoSProtection(
        `binance 418 {"code":-1003,"msg":"Way too much request weight used; IP banned until ${until}."}`,
      ),
    );
    expect(info.kind).toBe('rate_limit');
    expect(info.retryAfterMs).toBeGreaterThan(4.9 * 60_000);
    expect(info.userMessage).toBe('The exchange is limiting requests right now. We will try again in 5 minutes.');
  });

  it('prefers Retry-After attached by the exchange layer, and defaults to a long backoff', () => {
    const error = new errors.RateLimitExceeded('429');
    Object.defineProperty(error, RETRY_AFTER, { value: 120_000 });
    expect(classifyExchangeError(error).retryAfterMs).toBe(120_000);
    expect(classifyExchangeError(new errors.RateLimitExceeded('429')).retryAfterMs).toBe(60_000);
    expect(retryAfterFromHeaders({ 'Retry-After': '30' })).toBe(30_000);
    expect(retryAfterFromHeaders({ 'content-type': 'x' })).toBeUndefined();
  });

  it('never puts secrets or signed queries in the user message', () => {
    const info = classifyExchangeError(
      new errors.InsufficientFunds(
        'binance GET https://api.binance.com/api/v3/account?timestamp=1&recvWindow=10000&signature=abcdef0123456789 KEY123456',
      ),
      ['KEY123456'],
    );
    expect(info.kind).toBe('other');
    expect(info.userMessage).not.toMatch(/abcdef0123456789|KEY123456|timestamp=1/);
  });
});

describe('classifyExchangeError: the field a refusal is about', () => {
  it.each([
    [
      'binance -2015 (unknown key, IP or permission)',
      new errors.AuthenticationError('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'),
      'apiKey',
    ],
    [
      'binance -2014 (key format)',
      new errors.AuthenticationError('binance {"code":-2014,"msg":"API-key format invalid."}'),
      'apiKey',
    ],
    [
      'binance -1022 (bad signature)',
      new errors.AuthenticationError('binance {"code":-1022,"msg":"Signature for this request is not valid."}'),
      'secret',
    ],
    ['kraken invalid key', new errors.AuthenticationError('kraken {"error":["EAPI:Invalid key"]}'), 'apiKey'],
    ['kraken invalid signature', new errors.ExchangeError('kraken {"error":["EAPI:Invalid signature"]}'), 'secret'],
    [
      'kucoin 400003',
      new errors.AuthenticationError('kucoin {"code":"400003","msg":"KC-API-KEY not exists"}'),
      'apiKey',
    ],
    [
      'kucoin 400004',
      new errors.AuthenticationError('kucoin {"code":"400004","msg":"Invalid KC-API-PASSPHRASE"}'),
      'password',
    ],
    ['kucoin 400005', new errors.AuthenticationError('kucoin {"code":"400005","msg":"Invalid KC-API-SIGN"}'), 'secret'],
  ])('%s → %s', (_name, error, field) => {
    const info = classifyExchangeError(error);
    expect(info.kind).toBe('auth');
    expect(info.field?.name).toBe(field);
  });

  it('names no field when the exchange does not say (Coinbase answers a bare 401), nor for a millisecond timestamp', () => {
    expect(classifyExchangeError(new errors.AuthenticationError('coinbase 401 Unauthorized')).field).toBeUndefined();
    expect(
      classifyExchangeError(new errors.AuthenticationError('kucoin {"code":"400001","ts":1740000400004}')).field,
    ).toBeUndefined();
  });

  it('words a passphrase refusal for the form (the field) and for a background sync (update the key)', () => {
    const info = classifyExchangeError(
      new errors.AuthenticationError('kucoin {"code":"400004","msg":"Invalid KC-API-PASSPHRASE"}'),
    );
    expect(info.formMessage).toBe('The exchange rejected the passphrase of this API key.');
    expect(info.field?.message).toMatch(/^This passphrase does not match the API key/);
    expect(info.userMessage).toBe(
      'The exchange rejected the passphrase of this API key. Update the key to resume syncing.',
    );
  });
});

describe('classifyExchangeError: a form’s words promise no retry', () => {
  const until = Date.now() + 5 * 60_000;
  it.each([
    [
      new errors.DDoSProtection(`binance 418 {"code":-1003,"msg":"IP banned until ${until}."}`),
      /^The exchange is limiting requests right now\. Wait 5 minutes, then try again; nothing was saved\.$/,
    ],
    [
      new errors.RequestTimeout('binance request timed out (30000 ms)'),
      /^The exchange could not be reached or did not answer in time\. Nothing was saved; try again in a moment\.$/,
    ],
    [
      new errors.BadResponse('bad'),
      /^The exchange sent an answer we could not read\. Nothing was saved; try again in a moment\.$/,
    ],
    [
      new errors.AuthenticationError('coinbase 401 Unauthorized'),
      /^The exchange rejected this API key\. Check the key and its secret/,
    ],
  ])('%s', (error, form) => {
    const info = classifyExchangeError(error);
    expect(info.formMessage).toMatch(form);
    expect(info.formMessage).not.toMatch(/we will try again|resume syncing/i);
    // The background sync keeps its own sentence: it is retried, and it runs on stored keys.
    expect(info.userMessage).toMatch(/we will try again|resume syncing/i);
  });
});
