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
