import { cron } from 'inngest';
import { PARALLEL_CLAIMS, SCHEDULE_PAGE_SIZE } from '@/lib/sync/schedule';
import { claimAndSendPage } from '@/lib/sync/schedule-page';
import { inngest } from '@/lib/jobs/client';

export { SCHEDULE_PAGE_SIZE };
/** One step a page, under Inngest's 1,000 steps a run: up to 3.6 million due connections a minute. */
export const SCHEDULE_MAX_PAGES = 900;

/**
 * Cron fan-out: every minute, claim the due connections page by page (the claim creates their
 * queued runs and moves `next_sync_at` forward, so a slow or repeated tick never double-enqueues)
 * and send one sync event per claimed run, with the run's id as the event id. Each page is one step
 * that returns a count: ids would pile up in the run's state (100,000 runs ≈ 13 MB of its 32 MB).
 */
export const scheduleSyncs = inngest.createFunction(
  {
    id: 'schedule-syncs',
    triggers: [cron('* * * * *')],
    // A tick that overlaps a slow one is dropped: the next tick claims whatever is still due.
    singleton: { mode: 'skip' },
  },
  ({ step }) => claimAllPages(step),
);

/** The function's loop, given its `step`: page after page until a short page or the page cap. */
export async function claimAllPages(step: {
  run: (id: string, fn: () => Promise<{ claimed: number }>) => Promise<{ claimed: number }>;
}) {
  let pages = 0;
  let runs = 0;
  for (;;) {
    const { claimed } = await step.run(`claim-and-send-page-${pages}`, () =>
      claimAndSendPage({ limit: SCHEDULE_PAGE_SIZE, parallel: PARALLEL_CLAIMS }),
    );
    pages += 1;
    runs += claimed;
    if (claimed < SCHEDULE_PAGE_SIZE || pages >= SCHEDULE_MAX_PAGES) break;
  }
  return { pages, runs };
}
