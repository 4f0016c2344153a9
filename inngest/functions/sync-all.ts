import { enqueueRunsForUser } from '@/lib/sync/runs';
import { sendSyncRuns } from '@/lib/sync/send-runs';
import { inngest } from '@/lib/jobs/client';
import { userSyncAllRequested } from '@/lib/jobs/events';

/**
 * The user's "Sync all": one queued run per connection that can sync, each through the same
 * `sync-connection` path as a scheduled sync. A connection that already had a pending run keeps it
 * (its own event is on the way), so only the runs created here are sent. The send is a step of our
 * own rather than `step.sendEvent`, so that the ids Inngest accepted are recorded on the runs in the
 * same step: a run whose event never got there is released by the clean-up within minutes.
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
    if (created.length > 0) {
      await step.run('send-syncs', async () => {
        const sent = await sendSyncRuns(created);
        // Thrown so Inngest retries the step; the same event ids make a resend start each run once.
        if (!sent.ok) throw new Error(`Could not send ${created.length} syncs to Inngest (${sent.reason})`);
        return { sent: created.length };
      });
    }
    return { connections: runs.length, started: created.length };
  },
);
