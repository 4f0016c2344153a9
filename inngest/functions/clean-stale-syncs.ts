import { cron } from 'inngest';
import { markStaleRuns } from '@/lib/sync/runs';
import { inngest } from '@/lib/jobs/client';

/**
 * Every five minutes, runs stuck in `running` for over ten minutes (a crashed worker, a lost
 * request) become `stale`, which frees their connection for the next sync: the UI never shows
 * "Syncing…" forever.
 */
export const cleanStaleSyncs = inngest.createFunction(
  {
    id: 'clean-stale-syncs',
    triggers: [cron('*/5 * * * *')],
    singleton: { mode: 'skip' },
  },
  async ({ step }) => {
    const stale = await step.run('mark-stale-runs', () => markStaleRuns());
    return { stale };
  },
);
