import { cron } from 'inngest';
import { markStaleRuns, markUnsentRuns } from '@/lib/sync/runs';
import { inngest } from '@/lib/jobs/client';

/**
 * Every two minutes, frees connections whose pending run will never finish, so the UI never shows
 * "Syncing…" for ever and the scheduler queues them again: runs queued for over five minutes whose
 * event Inngest never accepted (nothing will start them), runs stuck in `running` for over ten
 * minutes (a crashed worker, a lost request), and runs queued for over a day (see markStaleRuns).
 * Both in one step: one request to the app per tick.
 */
export const cleanStaleSyncs = inngest.createFunction(
  {
    id: 'clean-stale-syncs',
    triggers: [cron('*/2 * * * *')],
    singleton: { mode: 'skip' },
  },
  async ({ step }) =>
    step.run('mark-stale-runs', async () => ({ unsent: await markUnsentRuns(), stale: await markStaleRuns() })),
);
