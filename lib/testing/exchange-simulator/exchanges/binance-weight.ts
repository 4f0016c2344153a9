import type { SimContext, SimResponse } from '../types';

/**
 * Binance's request weight on /api/*: every request costs its endpoint's weight, counted per IP
 * per clock minute and reported in X-MBX-USED-WEIGHT-1M. Past the limit Binance answers 429 with
 * Retry-After (seconds to the next minute); a client that keeps sending after a 429 is banned, 418,
 * from two minutes up. The simulator serves every caller from 127.0.0.1, so it stands one "IP" per
 * API key (keyless requests share one), which keeps parallel tests and benches apart.
 */

const SCRATCH = 'binance-weight';
const LIMIT_KEY = '#limit';
export const DEFAULT_WEIGHT_LIMIT = 6000;
const BAN_MS = 120_000;
const MINUTE_MS = 60_000;

interface Meter {
  minute: number;
  used: number;
  /** Set by a 429: a request before this time is banned. */
  limitedUntil: number;
  bannedUntil: number;
}

/** IP weights of the /api/v3 endpoints the simulator serves (Binance's spot API documentation). */
function weightOf(path: string, params: URLSearchParams): number {
  switch (path) {
    case '/api/v3/exchangeInfo':
    case '/api/v3/account':
    case '/api/v3/myTrades':
      return 20;
    case '/api/v3/ticker/price':
      return params.has('symbol') ? 2 : 4;
    case '/api/v3/ticker/24hr':
      return params.has('symbol') ? 2 : params.has('symbols') ? 40 : 80;
    default:
      return 1;
  }
}

function scratch(ctx: SimContext): Map<string, unknown> {
  ctx.scratch[SCRATCH] ??= new Map();
  return ctx.scratch[SCRATCH];
}

/** Tests set a small limit to reach the 429 and the ban in a few requests. */
export function setBinanceWeightLimit(ctx: SimContext, limit: number): void {
  scratch(ctx).set(LIMIT_KEY, limit);
}

/** Forgets every key's used weight and bans (as the passing of a few minutes would). */
export function forgetBinanceWeight(ctx: SimContext): void {
  const limit = scratch(ctx).get(LIMIT_KEY);
  ctx.scratch[SCRATCH] = new Map(limit === undefined ? [] : [[LIMIT_KEY, limit]]);
}

function retryAfter(seconds: number): Record<string, string> {
  return { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) };
}

export interface Metered {
  headers: Record<string, string>;
  /** Set when the request is refused (429 or 418). */
  refusal?: SimResponse;
}

/** Counts one /api request of `who` and says whether Binance would serve it. */
export function meterRequest(
  ctx: SimContext,
  who: string,
  path: string,
  params: URLSearchParams,
  now: number,
): Metered {
  const state = scratch(ctx);
  const limit = (state.get(LIMIT_KEY) as number | undefined) ?? DEFAULT_WEIGHT_LIMIT;
  const minute = Math.floor(now / MINUTE_MS);
  const meter = (state.get(who) as Meter | undefined) ?? { minute, used: 0, limitedUntil: 0, bannedUntil: 0 };
  state.set(who, meter);
  if (meter.bannedUntil > now) {
    return { headers: {}, refusal: banned(meter.bannedUntil, now) };
  }
  if (meter.minute !== minute) {
    meter.minute = minute;
    meter.used = 0;
  }
  meter.used += weightOf(path, params);
  const headers = { 'X-MBX-USED-WEIGHT-1M': String(meter.used) };
  if (meter.limitedUntil > now) {
    // Back again before the Retry-After it was given: the IP is banned.
    meter.bannedUntil = now + BAN_MS;
    return { headers, refusal: banned(meter.bannedUntil, now) };
  }
  if (meter.used > limit) {
    meter.limitedUntil = (minute + 1) * MINUTE_MS;
    return {
      headers,
      refusal: {
        status: 429,
        headers: { ...headers, ...retryAfter((meter.limitedUntil - now) / 1000) },
        body: {
          code: -1003,
          msg: `Too many requests; current limit of IP(127.0.0.1) request weight is ${limit} per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
        },
      },
    };
  }
  return { headers };
}

function banned(until: number, now: number): SimResponse {
  return {
    status: 418,
    headers: retryAfter((until - now) / 1000),
    body: {
      code: -1003,
      msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    },
  };
}
