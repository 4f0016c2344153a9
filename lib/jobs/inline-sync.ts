import 'server-only';
import { after } from 'next/server';
import { markRunFailed } from '@/lib/sync/runs';
import { syncConnection } from '@/lib/sync/sync-connection';
import { toRunErrorKind } from '@/lib/sync/failure-kinds';
import { logger } from '@/lib/log';
import { refreshPricesAfterInlineSync } from '@/lib/prices/refresh';

/** Told for an error the sync core did not classify (a database error, a bug), as the background function does. */
export const INLINE_UNEXPECTED_MESSAGE = 'The sync stopped on an unexpected error. Try Sync now again.';

/**
 * Runs one queued sync in this process, the way the `sync-connection` function would, once: there is
 * nobody to retry it, so a failure that would be retried ends the run as failed (a run left queued
 * would block every later sync of the connection). The connection's state (error, rate limited,
 * needs_reauth) is recorded by the sync core as for a background run. Never throws.
 */
export async function runSyncInline(connectionId: string, runId: string): Promise<void> {
  try {
    const outcome = await syncConnection(connectionId, runId);
    // No cron refreshes prices either: refresh the exchange's now, without making the sync wait.
    if (outcome.status === 'succeeded') refreshPricesAfterInlineSync(connectionId);
    if (outcome.status === 'failed') {
      await markRunFailed(runId, { kind: toRunErrorKind(outcome.kind), message: outcome.message });
    }
  } catch (error) {
    logger.error({ err: error, connectionId, syncRunId: runId }, 'inline sync failed unexpectedly');
    await markRunFailed(runId, { kind: 'other', message: INLINE_UNEXPECTED_MESSAGE }).catch(() => undefined);
  }
}

/**
 * Starts inline syncs after the response is sent (Next's `after`), so Sync now and Sync all answer at
 * once and the page follows the runs through its status polling, as with Inngest. Outside a request
 * (a script, a test) there is no response to wait for: the syncs run right away and this resolves when
 * they have ended.
 */
export async function startSyncsInline(runs: ReadonlyArray<{ connectionId: string; runId: string }>): Promise<void> {
  const work = async () => {
    // Each connection is a different account (often a different exchange); the exchange budget
    // (lib/exchanges/client.ts) keeps them within each exchange's limits.
    await Promise.all(runs.map((run) => runSyncInline(run.connectionId, run.runId)));
  };
  try {
    after(work);
  } catch {
    await work();
  }
}
