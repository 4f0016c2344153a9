import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, redactSecrets } from '@/lib/vault/redact';
import { currentLogContext } from './context';
import { serializeError } from './serialize-error';

export type { Logger } from 'pino';

/**
 * Fields that hold a secret wherever they appear in a logged object. pino's `redact` covers them at
 * the top level and one level down; `cleanFields` below catches them at any depth.
 */
const SECRET_FIELDS = [
  'password',
  'passwordHash',
  'password_hash',
  'hash',
  'secret',
  'apiKey',
  'api_key',
  'passphrase',
  'privateKey',
  'credentials',
  'token',
  'accessToken',
  'authorization',
  'cookie',
  'params',
  'parameters',
  'query',
  'detail',
];
const SECRET_FIELD_NAMES = new Set(SECRET_FIELDS.map((name) => name.toLowerCase()));
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((name) => `*.${name}`),
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

const MAX_STRING = 2000;
const MAX_DEPTH = 6;

/** Every string in a log line passes through `redactSecrets` (signed query strings, auth headers, PEMs, JWTs). */
function cleanFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value, [], MAX_STRING);
  if (value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => cleanFields(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_FIELD_NAMES.has(key.toLowerCase()) ? REDACTED : cleanFields(item, depth + 1);
  }
  return out;
}

function level(): string {
  const configured = process.env.LOG_LEVEL?.trim().toLowerCase();
  if (configured && configured in pino.levels.values) return configured;
  if (configured === 'silent') return configured;
  return 'info';
}

/**
 * The application's logger: one JSON object per line on stdout, with `level`, `time`, `msg`, the
 * request / run ids of the current context, and errors under `err` reduced by `serializeError`. The
 * redaction is part of the logger, not of each call: callers pass errors and ids, never clean them.
 */
export function createLogger(destination?: DestinationStream): Logger {
  return pino(
    {
      level: level(),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => cleanFields(object) as Record<string, unknown>,
      },
      mixin: () => ({ ...currentLogContext() }),
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: serializeError, error: serializeError, cause: serializeError },
      hooks: {
        // An Error passed alone would become the message as is; strings are redacted like fields, and
        // anything else (an object to interpolate) is dropped rather than formatted into the message.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          const merged = first instanceof Error ? { err: first } : first;
          const texts = rest
            .filter((arg): arg is string => typeof arg === 'string')
            .map((arg) => redactSecrets(arg, [], MAX_STRING));
          if (typeof merged === 'string')
            return method.apply(this, [redactSecrets(merged, [], MAX_STRING), ...texts] as [string]);
          const message = texts[0] ?? (first instanceof Error ? 'error' : undefined);
          return method.apply(this, (message === undefined ? [merged] : [merged, message]) as [object]);
        },
      },
    },
    // process.stdout rather than pino's default fd writer, so a test can read what was written.
    destination ?? (process.stdout as unknown as DestinationStream),
  );
}

const globalForLogger = globalThis as unknown as { coinsphereLogger?: Logger };

/** The process's logger (one per process, also across Next's hot reloads). */
export const logger: Logger = (globalForLogger.coinsphereLogger ??= createLogger());
