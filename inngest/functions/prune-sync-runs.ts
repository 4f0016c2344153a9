import { cron } from 'inngest';
import { PRUNE_BATCH_SIZE, PRUNE_MAX_BATCHES, PRUNE_SLICES, pruneRunsBatch } from '@/lib/sync/prune-runs';
import { inngest } from '@/lib/jobs/client';
import { syncRunsPruneRequested } from '@/lib/jobs/events';

/**
 * Daily retention of sync_runs: deletes finished runs older than 30 days, keeping each connection's
 * last 50 (lib/sync/prune-runs.ts). One step per batch, returning a count: Inngest keeps every step's
 * output in the run's state. The connections are walked range by range; a range is done when its batch
 * comes back short. A run that spends its step budget sends an event to go on from its range, so a day's
 * runs are pruned however many there are.
 *
 * Concurrency 1, not a singleton: the continuation is sent while this run is still active, and a singleton
 * would skip it; with concurrency 1 a cron tick meeting a continuation waits instead of deleting alongside.
 */
export const pruneSyncRuns = inngest.createFunction(
  {
    id: 'prune-sync-runs',
    triggers: [cron('TZ=UTC 30 3 * * *'), syncRunsPruneRequested],
    concurrency: { limit: 1 },
  },
  async ({ event, step }) => {
    let slice = event.name === syncRunsPruneRequested.name ? event.data.fromSlice : 0;
    let batches = 0;
    let deleted = 0;
    while (slice < PRUNE_SLICES) {
      if (batches >= PRUNE_MAX_BATCHES) {
        await step.sendEvent('continue', syncRunsPruneRequested.create({ fromSlice: slice }));
        return { batches, deleted, continuedFromSlice: slice };
      }
      const batch = await step.run(`prune-batch-${batches}`, () =>
        pruneRunsBatch({ slice, slices: PRUNE_SLICES, batchSize: PRUNE_BATCH_SIZE }),
      );
      batches += 1;
      deleted += batch.deleted;
      if (batch.deleted < PRUNE_BATCH_SIZE) slice += 1;
    }
    return { batches, deleted, continuedFromSlice: null };
  },
);
