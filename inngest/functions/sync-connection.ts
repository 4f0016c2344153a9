import { DrizzleQueryError } from 'drizzle-orm';
import { NonRetriableError, RetryAfterError } from 'inngest';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from '@/lib/exchanges/errors';
import { toRunErrorKind } from '@/lib/sync/failure-kinds';
import { markRunFailed } from '@/lib/sync/runs';
import { syncConnection as runSync } from '@/lib/sync/sync-connection';
import type { SyncOutcome } from '@/lib/sync/types';
import { inngest } from '@/lib/jobs/client';
import { connectionDisconnected, connectionSyncRequested } from '@/lib/jobs/events';
import { logger } from '@/lib/log';
import { reportSyncFailure } from '@/lib/log/error-reporting';

/** Shown for a failure the sync core did not classify (a bug or an outage of our own, not the exchange). */
export const UNEXPECTED_FAILURE_MESSAGE = 'The sync stopped on an unexpected error. It will run again on schedule.';

/**
 * What a failed sync throws, so Inngest applies the right policy: no retry for
 * refused or unreadable keys or a connection gone, a wait for rate limits, backoff for the rest. `cause.kind` carries the classification
 * through Inngest's error serialization to `onFailure`; the message is already redacted.
 */
export function failureError(outcome: Extract<SyncOutcome, { status: 'failed' }>): Error {
  const options = { cause: { kind: outcome.kind } };
  if (!outcome.retriable) return new NonRetriableError(outcome.message, options);
  if (outcome.kind === 'rate_limit') {
    return new RetryAfterError(outcome.message, outcome.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS, options);
  }
  return new Error(outcome.message, options);
}

/** The failure kind set by `failureError`, or undefined for errors the sync core did not classify. */
export function failureKind(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause && typeof cause === 'object' && 'kind' in cause && typeof cause.kind === 'string') return cause.kind;
  return undefined;
}

/**
 * The sync, with errors the sync core did not classify (a database outage, a bug) logged in short
 * and rethrown without their text: Inngest stores run errors, and Drizzle's message quotes the
 * query's parameters (amounts among them). A plain Error, so Inngest still retries.
 */
async function syncOrUnexpectedFailure(connectionId: string, runId: string, exchangeId: string): Promise<SyncOutcome> {
  try {
    return await runSync(connectionId, runId);
  } catch (error) {
    // The driver's own message names the problem without the values.
    const inner = error instanceof DrizzleQueryError ? error.cause : error;
    logger.error({ err: inner, syncRunId: runId, connectionId }, 'sync failed unexpectedly');
    void reportSyncFailure(inner, { exchangeId, connectionId, syncRunId: runId });
    throw new Error(UNEXPECTED_FAILURE_MESSAGE, { cause: { kind: 'other' } });
  }
}

/**
 * Runs one queued sync (a `sync_runs` row). Returns the outcome's counts and redacted message only:
 * balances and credentials never leave `syncConnection`. The sync is the whole function, without a
 * step around it: a step would cost a second request to the app per sync for nothing, since
 * `syncConnection` is already safe to run again (a run that is no longer pending is skipped) and a
 * failure thrown here gets the same policy from Inngest (retries, NonRetriableError, RetryAfterError).
 */
export const syncConnectionFunction = inngest.createFunction(
  {
    id: 'sync-connection',
    triggers: [connectionSyncRequested],
    // The original design's policy: 3 retries, Inngest's default exponential backoff.
    retries: 3,
    // One run per connection at a time. A concurrency key would only limit executing steps (a run
    // waiting for its retry would let another start); singleton covers the whole run. The database
    // guard (one queued-or-running row, a row lock while writing) stays the source of truth.
    singleton: { key: 'event.data.connectionId', mode: 'skip' },
    // Per exchange, so one installation (one IP) stays within each exchange's per-IP limits. Sized
    // for the strictest budget we call (Binance: 12,000 SAPI weight a minute, ~300 per sync with both
    // earn position reads), leaving room for connection tests made outside Inngest.
    throttle: { key: 'event.data.exchangeId', limit: 30, period: '1m', burst: 10 },
    cancelOn: [{ event: connectionDisconnected, match: 'data.connectionId' }],
    onFailure: async ({ event, error, step }) => {
      const { runId } = event.data.event.data;
      const kind = failureKind(error);
      // Only messages written for the user (redacted, plain English) reach the user.
      const failure = kind
        ? { kind: toRunErrorKind(kind), message: error.message }
        : { kind: 'other' as const, message: UNEXPECTED_FAILURE_MESSAGE };
      await step.run('mark-run-failed', () => markRunFailed(runId, failure));
      return { runId, kind: failure.kind };
    },
  },
  async ({ event }) => {
    const { connectionId, runId, exchangeId } = event.data;
    const outcome = await syncOrUnexpectedFailure(connectionId, runId, exchangeId);
    if (outcome.status === 'failed') throw failureError(outcome);
    if (outcome.status === 'skipped') return { status: outcome.status, reason: outcome.reason };
    return { status: outcome.status, assets: outcome.assets, warnings: outcome.warnings };
  },
);
