import { ExchangeBudgetExhaustedError, ExchangeBudgetUnavailableError } from '@/lib/limits/budget-error';
import { redactSecrets } from '@/lib/vault/redact';

export type ExchangeErrorKind = 'auth' | 'rate_limit' | 'clock' | 'transient' | 'malformed' | 'other';

/** The credential an exchange said was wrong, by ccxt's name (`password` is the API passphrase). */
export type RejectedCredential = 'apiKey' | 'secret' | 'password';

export interface ExchangeErrorInfo {
  kind: ExchangeErrorKind;
  /** Plain English for a background sync (which is retried, and runs on stored keys), already redacted. */
  userMessage: string;
  /**
   * Plain English for a form (Test connection, Connect, Update keys): nothing is retried and nothing
   * syncs yet, so it says what the person can do now. Already redacted.
   */
  formMessage: string;
  /** The field the exchange refused, when its answer tells (KuCoin's passphrase code, a bad signature…). */
  field?: { name: RejectedCredential; message: string };
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

/**
 * Whether `error` is of ccxt's error class `name` or a subclass, by name: importing ccxt's classes to
 * use `instanceof` would load all of ccxt (every exchange) wherever this runs.
 */
export function isCcxtError(error: unknown, name: string): boolean {
  return classNames(error).has(name);
}

/**
 * Which credential an authentication refusal is about, from the exchange's own code: Binance -2014 /
 * -2015 (unknown key; -2015 also covers an IP restriction or a missing permission) and -1022 (bad
 * signature, so the secret), Kraken's invalid key / signature, KuCoin 400003 / 400004 / 400005.
 * Coinbase answers every refusal with a bare 401, so nothing is named for it.
 */
const REJECTED_FIELDS: ReadonlyArray<{ code: RegExp; name: RejectedCredential; message: string }> = [
  {
    code: /(?<!\d)-2015(?!\d)/,
    name: 'apiKey',
    message:
      'The exchange does not accept this API key: it does not exist, it does not allow this server’s IP address, or it cannot read balances.',
  },
  {
    code: /(?<!\d)-2014(?!\d)|EAPI:Invalid key|(?<!\d)400003(?!\d)/,
    name: 'apiKey',
    message: 'The exchange does not know this API key. Check that it was copied whole and has not been deleted.',
  },
  {
    code: /(?<!\d)-1022(?!\d)|EAPI:Invalid signature|(?<!\d)400005(?!\d)/,
    name: 'secret',
    message:
      'This secret does not belong to the API key. Paste the secret shown when the key was created; if you no longer have it, create a new key.',
  },
  {
    code: /(?<!\d)400004(?!\d)/,
    name: 'password',
    message: 'This passphrase does not match the API key: use the one you set when creating the key.',
  },
];

const FIELD_WORDS: Record<RejectedCredential, string> = {
  apiKey: 'this API key',
  secret: 'the secret of this API key',
  password: 'the passphrase of this API key',
};

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
    return {
      kind: 'rate_limit',
      retryAfterMs: error.retryAfterMs,
      userMessage: error.message,
      formMessage: `${error.message} Nothing was saved.`,
    };
  }
  if (error instanceof ExchangeBudgetUnavailableError) {
    return {
      kind: 'transient',
      userMessage: `${error.message} Your balances were left as they were; we will try again.`,
      formMessage: `${error.message} Nothing was saved; try again in a moment.`,
    };
  }

  if (is('MalformedResponseError', 'BadResponse', 'NullResponse', 'TypeError', 'SyntaxError')) {
    return {
      kind: 'malformed',
      userMessage:
        'The exchange sent an answer we could not read. Your balances were left as they were; we will try again.',
      formMessage: 'The exchange sent an answer we could not read. Nothing was saved; try again in a moment.',
    };
  }
  if (is('InvalidNonce') || CLOCK_CODES.test(message)) {
    const clock =
      'The exchange refused the request’s timestamp. This usually means the server clock is off, or another app is using the same API key.';
    return { kind: 'clock', userMessage: clock, formMessage: clock };
  }
  if (is('RateLimitExceeded', 'DDoSProtection') || RATE_LIMIT_CODES.test(message)) {
    const annotated = (error as Record<symbol, unknown> | null)?.[RETRY_AFTER];
    const retryAfterMs = typeof annotated === 'number' ? annotated : (banUntil(message) ?? DEFAULT_RATE_LIMIT_WAIT_MS);
    return {
      kind: 'rate_limit',
      retryAfterMs,
      userMessage: `The exchange is limiting requests right now. We will try again in ${minutes(retryAfterMs)}.`,
      formMessage: `The exchange is limiting requests right now. Wait ${minutes(retryAfterMs)}, then try again; nothing was saved.`,
    };
  }
  if (
    is('AuthenticationError', 'PermissionDenied', 'AccountSuspended', 'AccountNotEnabled') ||
    AUTH_CODES.test(message)
  ) {
    const rejected = REJECTED_FIELDS.find((candidate) => candidate.code.test(message));
    const revoked =
      'The exchange rejected this API key: it may have been deleted, expired, or lost its read permission. Update the key to resume syncing.';
    if (rejected) {
      const what = FIELD_WORDS[rejected.name];
      return {
        kind: 'auth',
        field: { name: rejected.name, message: rejected.message },
        // A stored key that stops working was most often revoked; a wrong secret or passphrase is named.
        userMessage:
          rejected.name === 'apiKey' ? revoked : `The exchange rejected ${what}. Update the key to resume syncing.`,
        formMessage: `The exchange rejected ${what}.`,
      };
    }
    return {
      kind: 'auth',
      userMessage: revoked,
      formMessage:
        'The exchange rejected this API key. Check the key and its secret, and that the key still exists and can read balances.',
    };
  }
  // OperationFailed: Binance -1000/-1001/-1004/-1008 (internal error, server busy); its subclasses were caught above.
  if (is('NetworkError', 'RequestTimeout', 'ExchangeNotAvailable', 'OnMaintenance', 'OperationFailed')) {
    return {
      kind: 'transient',
      userMessage: 'The exchange could not be reached or did not answer in time. We will try again shortly.',
      formMessage:
        'The exchange could not be reached or did not answer in time. Nothing was saved; try again in a moment.',
    };
  }
  const detail = redactSecrets(message, secrets, 200);
  const other = `The exchange returned an error${detail ? `: ${detail}` : '.'}`;
  return { kind: 'other', userMessage: other, formMessage: other };
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
