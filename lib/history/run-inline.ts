import 'server-only';
import { logger } from '@/lib/log';
import { driveHistoryImport, type ImportSteps } from './drive';
import {
  beginHistoryImport,
  failHistoryImport,
  HistoryRetryError,
  importHistoryPage,
  type ImportIds,
} from './import-page';
import { HISTORY_UNEXPECTED } from './messages';

/** Longest wait an inline import sits out for a rate limit before giving up until the next start. */
const MAX_INLINE_WAIT_MS = 5 * 60_000;

/** Plain calls in place of Inngest's steps: a step runs once, a sleep is a timer. */
const inlineSteps: ImportSteps = {
  run: (_id, work) => work(),
  sleep: (_id, ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_INLINE_WAIT_MS))),
};

/**
 * Runs a connection's import in this process, through the same engine as the Inngest function, to
 * the end (a run that reached its step bound simply goes on). For `next dev` without an Inngest dev
 * server: nobody retries it, so a failure that would be retried ends the import as failed with its
 * plain message (the next start tries again). Never throws.
 */
export async function runHistoryImportInline(ids: ImportIds): Promise<void> {
  try {
    for (;;) {
      const result = await driveHistoryImport(inlineSteps, ids, { begin: beginHistoryImport, page: importHistoryPage });
      if (result.status !== 'continue') return;
    }
  } catch (error) {
    if (!(error instanceof HistoryRetryError)) {
      logger.error({ err: error, connectionId: ids.connectionId }, 'inline history import failed unexpectedly');
    }
    const message = error instanceof HistoryRetryError ? error.message : HISTORY_UNEXPECTED;
    await failHistoryImport(ids, message).catch(() => undefined);
  }
}
