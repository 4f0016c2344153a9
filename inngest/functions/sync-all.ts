import { enqueueRunsForUser } from '@/lib/sync/runs';
import { inngest } from '@/lib/jobs/client';
import { syncRequestFor, userSyncAllRequested } from '@/lib/jobs/events';

/**
 * The user's "Sync all": one queued run per connection that can sync, each through the same
 * `sync-connection` path as a scheduled sync. A connection that already had a pending run keeps it
 * (its own event is on the way), so only the runs created here are sent.
 */
export const syncAll = inngest.createFunction(
  {
    id: 'sync-all',
    triggers: [userSyncAllRequested],
    retries: 3,
  },
  async ({ event, step }) => {
    const runs = await step.run('enqueue-runs', async () =>
      (await enqueueRunsForUser(event.data.userId, 'sync_all')).map(({ connectionId, runId, exchangeId, created }) => ({
        connectionId,
        runId,
        exchangeId,
        created,
      })),
    );
    const created = runs.filter((run) => run.created);
    if (created.length > 0) await step.sendEvent('send-syncs', created.map(syncRequestFor));
    return { connections: runs.length, started: created.length };
  },
);
