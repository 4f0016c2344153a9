import type { ErrorEvent, EventHint, NodeOptions } from '@sentry/nextjs';
import { REDACTED, redactSecrets } from '@/lib/vault/redact';
import { describeError } from './serialize-error';

/**
 * Optional error reporting with Sentry: only when SENTRY_DSN is set (no DSN, no SDK initialised, nothing
 * sent). Every event passes `scrubEvent` first, so what leaves the server follows the logger's rules.
 */
export function sentryOptions(env: Record<string, string | undefined> = process.env): NodeOptions | undefined {
  const dsn = env.SENTRY_DSN?.trim();
  if (!dsn) return undefined;
  return {
    dsn,
    environment: env.SENTRY_ENVIRONMENT?.trim() || env.NODE_ENV,
    // Nothing a request, a query or a stack frame's variables hold (a decrypted key is a local variable in
    // the sync); errors only, no tracing.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      frameContextLines: 0,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
    },
    tracesSampleRate: 0,
    maxBreadcrumbs: 20,
    // An error's causes are described by `scrubEvent` from the thrown value (a database error as its code
    // and constraint); the SDK's own reading of each cause would send its raw message.
    integrations: (defaults) => defaults.filter((integration) => integration.name !== 'LinkedErrors'),
    beforeSend: scrubEvent,
    beforeSendTransaction: () => null,
  };
}

const SECRET_KEY = /pass|secret|token|key|auth|cookie|hash|credential|signature|pem|param|query|detail|session/i;

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value, [], 2000);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 6) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? REDACTED : clean(item, depth + 1);
  return out;
}

/**
 * Sentry's `beforeSend`: the request is reduced to its method and path (no headers, cookies, body or query
 * string), the user to an id, and every exception to what the logger would write: a database error to its
 * code and constraint (Drizzle's message quotes the parameters), any other message redacted like ccxt's
 * signed URLs. Breadcrumbs, extra data and contexts are cleaned the same way.
 */
export function scrubEvent(event: ErrorEvent, hint?: EventHint): ErrorEvent {
  const original = hint?.originalException;
  if (event.request) {
    const url = event.request.url ? redactSecrets(event.request.url.split('?')[0]!) : undefined;
    event.request = { method: event.request.method, url };
  }
  if (event.user) event.user = event.user.id === undefined ? {} : { id: event.user.id };
  for (const exception of event.exception?.values ?? []) {
    exception.value = exception.value === undefined ? undefined : redactSecrets(exception.value);
  }
  // The thrown value itself, reduced by the logger's serializer, replaces the SDK's reading of its message.
  const top = event.exception?.values?.at(-1);
  if (top && original instanceof Error) top.value = describeError(original);
  if (event.message) event.message = redactSecrets(event.message);
  if (event.logentry?.message) event.logentry = { message: redactSecrets(event.logentry.message) };
  event.breadcrumbs = event.breadcrumbs?.map((crumb) => ({
    ...crumb,
    message: crumb.message === undefined ? undefined : redactSecrets(crumb.message),
    data: crumb.data === undefined ? undefined : (clean(crumb.data) as Record<string, unknown>),
  }));
  if (event.extra) event.extra = clean(event.extra) as Record<string, unknown>;
  if (event.contexts) event.contexts = clean(event.contexts) as typeof event.contexts;
  return event;
}

/** What to tag a failed sync with, so reports group by exchange and lead to the connection. */
export interface SyncFailureTags {
  exchangeId?: string;
  connectionId: string;
  syncRunId?: string;
}

/** Reports an unexpected error to Sentry when it is configured; does nothing otherwise. */
export async function reportError(error: unknown, tags: Record<string, string | undefined> = {}): Promise<void> {
  if (!process.env.SENTRY_DSN?.trim()) return;
  const Sentry = await import('@sentry/nextjs');
  if (!Sentry.isInitialized()) return;
  const defined = Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => !!entry[1]));
  Sentry.captureException(error, { tags: defined });
}

export const reportSyncFailure = (error: unknown, tags: SyncFailureTags) =>
  reportError(error, { exchange: tags.exchangeId, connection_id: tags.connectionId, sync_run_id: tags.syncRunId });
