import { addBatch, rotateBatch, type RotationTotals } from '@/lib/vault/rotate';
import { inngest } from '@/lib/jobs/client';
import { credentialsRotationRequested } from '@/lib/jobs/events';

/**
 * Production path of `npm run vault:rotate`: the same batches, one durable step each, so a crash
 * resumes where it stopped. Step outputs hold counts and connection ids only, never key material.
 */
export const rotateCredentials = inngest.createFunction(
  {
    id: 'rotate-credentials',
    triggers: [credentialsRotationRequested],
    concurrency: { limit: 1 },
    retries: 3,
  },
  async ({ step }) => {
    const totals: RotationTotals = {
      batches: 0,
      scanned: 0,
      rotated: 0,
      alreadyCurrent: 0,
      conflicts: 0,
      failedIds: [],
    };
    let cursor: string | null = null;
    do {
      const batch: Awaited<ReturnType<typeof rotateBatch>> = await step.run(`rotate-batch-${totals.batches}`, () =>
        rotateBatch(cursor),
      );
      addBatch(totals, batch);
      cursor = batch.nextCursor;
    } while (cursor);
    return totals;
  },
);
