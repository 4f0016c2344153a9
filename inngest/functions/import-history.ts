import { DrizzleQueryError } from 'drizzle-orm';
import { driveHistoryImport } from '@/lib/history/drive';
import {
  beginHistoryImport,
  failHistoryImport,
  HistoryRetryError,
  importHistoryPage,
  type ImportStep,
} from '@/lib/history/import-page';
import { HISTORY_UNEXPECTED } from '@/lib/history/messages';
import { inngest } from '@/lib/jobs/client';
import { connectionDisconnected, historyImportRequested } from '@/lib/jobs/events';
import { logger } from '@/lib/log';

/**
 * An error the engine did not classify (a database outage, a bug), logged in short and rethrown
 * without its text: Inngest stores step errors, and Drizzle's message quotes the query's parameters.
 * A plain Error, so Inngest still retries the step.
 */
function withoutDetail<A extends unknown[]>(work: (...args: A) => Promise<ImportStep>) {
  return async (...args: A): Promise<ImportStep> => {
    try {
      return await work(...args);
    } catch (error) {
      if (error instanceof HistoryRetryError) throw error;
      const inner = error instanceof DrizzleQueryError ? error.cause : error;
      logger.error({ err: inner }, 'history import step failed unexpectedly');
      throw new Error(HISTORY_UNEXPECTED, { cause: { kind: 'other' } });
    }
  };
}

const begin = withoutDetail(beginHistoryImport);
const page = withoutDetail(importHistoryPage);

/** Whether an error reaching onFailure is one of ours, written for the user. */
function userMessageOf(error: { message: string; cause?: unknown }): string {
  const cause = error.cause;
  const ours = cause && typeof cause === 'object' && 'kind' in cause && typeof cause.kind === 'string';
  return ours ? error.message : HISTORY_UNEXPECTED;
}

/**
 * One durable run of a connection's history import (lib/history/drive.ts): a step to register the
 * streams, then ONE STEP PER PAGE, each page stored with its cursor in one transaction, so a crash or
 * deploy resumes at the next page; a rate limit is sat out with `step.sleep` for the exchange's
 * Retry-After. Past the step bound it sends itself a continuation event and ends.
 */
export const importHistoryFunction = inngest.createFunction(
  {
    id: 'import-history',
    triggers: [historyImportRequested],
    retries: 4,
    // One executing run per connection; the database guard (a page is stored only if its stream still
    // stands at the cursor it was read from) stays the source of truth.
    concurrency: [{ key: 'event.data.connectionId', limit: 1 }],
    // Its own throttle key per exchange, apart from the balance syncs' (which keep their rate while a
    // backfill runs); each request also draws from the history budget (EXCHANGE_HISTORY_BUDGET_<ID>).
    throttle: { key: '"history-" + event.data.exchangeId', limit: 20, period: '1m', burst: 5 },
    cancelOn: [{ event: connectionDisconnected, match: 'data.connectionId' }],
    onFailure: async ({ event, error, step }) => {
      const { connectionId, userId } = event.data.event.data;
      await step.run('mark-import-failed', () => failHistoryImport({ connectionId, userId }, userMessageOf(error)));
      return { connectionId };
    },
  },
  async ({ event, step, runId }) => {
    const { connectionId, userId, exchangeId } = event.data;
    const ids = { connectionId, userId };
    const result = await driveHistoryImport(
      {
        run: (id, work) => step.run(id, work) as Promise<ImportStep>,
        sleep: (id, ms) => step.sleep(id, Math.max(1000, ms)),
      },
      ids,
      { begin, page },
    );
    if (result.status === 'continue') {
      await step.sendEvent(
        'continue-import',
        historyImportRequested.create({ connectionId, userId, exchangeId }, { id: `history-continue-${runId}` }),
      );
    }
    return result;
  },
);
