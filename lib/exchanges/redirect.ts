import 'server-only';
import type { Exchange } from 'ccxt';

/**
 * EXCHANGE_API_OVERRIDE=http://127.0.0.1:PORT sends every ccxt request to
 * `http://127.0.0.1:PORT/<original host>/<original path>?<query>` through ccxt's
 * `fetchImplementation` hook. URLs inside ccxt stay as they are, so signatures, Coinbase's JWT
 * `uri` claim and Binance's URL-based error mapping are exactly as in production. It is how tests
 * reach the exchange simulator, and how anyone can point Coinsphere at their own.
 */
export function apiOverride(): string | null {
  const value = process.env.EXCHANGE_API_OVERRIDE?.trim();
  return value ? value.replace(/\/+$/, '') : null;
}

export const OVERRIDE_REFUSED =
  'EXCHANGE_API_OVERRIDE is set in production, which would send exchange keys to another server; unset it, or set ALLOW_EXCHANGE_API_OVERRIDE=1 if that is intended.';

/** Production refuses to start with an override unless it is explicitly allowed. */
export function overrideProblem(env: Record<string, string | undefined> = process.env): string | null {
  if (env.NODE_ENV !== 'production' || !env.EXCHANGE_API_OVERRIDE?.trim()) return null;
  return env.ALLOW_EXCHANGE_API_OVERRIDE === '1' ? null : OVERRIDE_REFUSED;
}

export function redirectTransport(exchange: Exchange, baseUrl: string): void {
  type FetchInit = RequestInit & { timeout?: unknown; agent?: unknown; dispatcher?: unknown };
  (exchange as unknown as { fetchImplementation: unknown }).fetchImplementation = (url: string, init?: FetchInit) => {
    // ccxt passes node-style extras (timeout, agent) that fetch does not take; its own AbortController still applies.
    const { timeout: _timeout, agent: _agent, dispatcher: _dispatcher, ...rest } = init ?? {};
    return fetch(url.replace(/^https?:\/\//, `${baseUrl}/`), rest);
  };
}

export function applyApiOverride(exchange: Exchange): void {
  const base = apiOverride();
  if (base) redirectTransport(exchange, base);
}
