import { cron } from 'inngest';
import { claimDueConnections, PARALLEL_CLAIMS, SCHEDULE_PAGE_SIZE } from '@/lib/sync/schedule';
import { inngest } from '../client';
import { connectionSyncRequested } from '../events';

export { SCHEDULE_PAGE_SIZE };
/** Two steps a page keeps a run under Inngest's 1,000 steps (400,000 due connections a minute). */
export const SCHEDULE_MAX_PAGES = 400;

/** The event that runs a claimed sync; its id makes a replayed send start the run only once. */
export function syncRequestFor(run: { connectionId: string; runId: string; exchangeId: string }) {
  return connectionSyncRequested.create(
    { connectionId: run.connectionId, runId: run.runId, exchangeId: run.exchangeId },
    { id: `sync-${run.runId}` },
  );
}

/**
 * Cron fan-out: every minute, claim the due connections page by page (the claim creates their
 * queued runs and moves `next_sync_at` forward, so a slow or repeated tick never double-enqueues)
 * and send one sync event per claimed run. Step outputs hold ids and counts only.
 */
export const scheduleSyncs = inngest.createFunction(
  {
    id: 'schedule-syncs',
    triggers: [cron('* * * * *')],
    // A tick that overlaps a slow one is dropped: the next tick claims whatever is still due.
    singleton: { mode: 'skip' },
  },
  async ({ step }) => {
    let pages = 0;
    let runs = 0;
    for (;;) {
      const claimed = await step.run(`claim-page-${pages}`, async () =>
        (await claimDueConnections({ limit: SCHEDULE_PAGE_SIZE, parallel: PARALLEL_CLAIMS })).map(
          ({ connectionId, runId, exchangeId }) => ({
            connectionId,
            runId,
            exchangeId,
          }),
        ),
      );
      if (claimed.length > 0) await step.sendEvent(`send-page-${pages}`, claimed.map(syncRequestFor));
      pages += 1;
      runs += claimed.length;
      if (claimed.length < SCHEDULE_PAGE_SIZE || pages >= SCHEDULE_MAX_PAGES) break;
    }
    return { pages, runs };
  },
);
