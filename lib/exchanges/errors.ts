import { ExchangeBudgetExhaustedError, ExchangeBudgetUnavailableError } from '@/lib/limits/budget-error';
import { redactSecrets } from '@/lib/vault/redact';

export type ExchangeErrorKind = 'auth' | 'rate_limit' | 'clock' | 'transient' | 'malformed' | 'other';

export interface ExchangeErrorInfo {
  kind: ExchangeErrorKind;
  /** Plain English for the user, already redacted. */
  userMessage: string;
  /** When to try again (rate limits): from Retry-After, a Binance ban-until, or a long default. */
  retryAfterMs?: number;
}

/** Set on a thrown error by the exchange layer from the response's Retry-After header. */
export const RETRY_AFTER = Symbol.for('coinsphere.retryAfterMs');

/** How long to wait when an exchange rate-limits us without saying for how long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

// Exchange codes that ccxt maps to a generic class (or to the wrong one) in 4.5.x. Numbers are matched
// whole, so a millisecond timestamp in a message cannot pass for one. Not a bare "recvWindow": every
// signed Binance URL, and so many error messages, contains one.
const AUTH_CODES =
  /(?<!\d)-201[45](?!\d)|EAPI:Invalid key|EAPI:Invalid signature|(?<!\d)40000[3-7](?!\d)|EGeneral:Permission denied/;
const CLOCK_CODES =
  /(?<!\d)-1021(?!\d)|EAPI:Invalid nonce|(?<!\d)400002(?!\d)|outside of the recvWindow|timestamp (expired|is outside|for this request)/i;
const RATE_LIMIT_CODES = /(?<!\d)429000(?!\d)|EAPI:Rate limit|EGeneral:Temporary lockout|Too Many Requests/i;

/** ccxt error class names of this error and its ancestors (ccxt names each class after itself). */
function classNames(error: unknown): Set<string> {
  const names = new Set<string>();
  let proto = error && typeof error === 'object' ? Object.getPrototypeOf(error) : null;
  while (proto && proto !== Object.prototype) {
    const name = (proto.constructor as { name?: string } | undefined)?.name;
    if (name) names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  if (error instanceof Error && error.name) names.add(error.name);
  return names;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** Binance 418: "IP banned until 1700000000000". */
function banUntil(message: string): number | undefined {
  const match = /banned until (\d{13})/.exec(message);
  return match ? Math.max(0, Number(match[1]) - Date.now()) : undefined;
}

/**
 * Maps anything an exchange call throws to what the app does next: `auth` (never retried; the
 * connection needs new keys), `rate_limit` (retried after the wait), `clock` (retried once), `transient`
 * (retried with backoff), `malformed` (retried, never applied) or `other`.
 */
export function classifyExchangeError(error: unknown, secrets: readonly string[] = []): ExchangeErrorInfo {
  const names = classNames(error);
  const message = error instanceof Error ? error.message : String(error);
  const is = (...candidates: string[]) => candidates.some((name) => names.has(name));

  // Our own limit, not the exchange's: the request never went out.
  if (error instanceof ExchangeBudgetExhaustedError) {
    return { kind: 'rate_limit', retryAfterMs: error.retryAfterMs, userMessage: error.message };
  }
  if (error instanceof ExchangeBudgetUnavailableError) {
    return {
      kind: 'transient',
      userMessage: `${error.message} Your balances were left as they were; we will try again.`,
    };
  }

  if (is('MalformedResponseError', 'BadResponse', 'NullResponse', 'TypeError', 'SyntaxError')) {
    return {
      kind: 'malformed',
      userMessage:
        'The exchange sent an answer we could not read. Your balances were left as they were; we will try again.',
    };
  }
  if (is('InvalidNonce') || CLOCK_CODES.test(message)) {
    return {
      kind: 'clock',
      userMessage:
        'The exchange refused the request’s timestamp. This usually means the server clock is off, or another app is using the same API key.',
    };
  }
  if (is('RateLimitExceeded', 'DDoSProtection') || RATE_LIMIT_CODES.test(message)) {
    const annotated = (error as Record<symbol, unknown> | null)?.[RETRY_AFTER];
    const retryAfterMs = typeof annotated === 'number' ? annotated : (banUntil(message) ?? DEFAULT_RATE_LIMIT_WAIT_MS);
    return {
      kind: 'rate_limit',
      retryAfterMs,
      userMessage: `The exchange is limiting requests right now. We will try again in ${minutes(retryAfterMs)}.`,
    };
  }
  if (
    is('AuthenticationError', 'PermissionDenied', 'AccountSuspended', 'AccountNotEnabled') ||
    AUTH_CODES.test(message)
  ) {
    return {
      kind: 'auth',
      userMessage:
        'The exchange rejected this API key: it may have been deleted, expired, or lost its read permission. Update the key to resume syncing.',
    };
  }
  // OperationFailed: Binance -1000/-1001/-1004/-1008 (internal error, server busy); its subclasses were caught above.
  if (is('NetworkError', 'RequestTimeout', 'ExchangeNotAvailable', 'OnMaintenance', 'OperationFailed')) {
    return {
      kind: 'transient',
      userMessage: 'The exchange could not be reached or did not answer in time. We will try again shortly.',
    };
  }
  const detail = redactSecrets(message, secrets, 200);
  return {
    kind: 'other',
    userMessage: `The exchange returned an error${detail ? `: ${detail}` : '.'}`,
  };
}

/** Reads Retry-After (seconds or an HTTP date) from ccxt's last response headers. */
export function retryAfterFromHeaders(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  if (!entry) return undefined;
  const seconds = Number(entry[1]);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(entry[1]);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
