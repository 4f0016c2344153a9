import 'server-only';
import { claimDueConnections, releaseClaims } from './schedule';
import { sendSyncRuns } from './send-runs';

/** Events per request to Inngest's event API, well under its 5,000 events (and its size limit) a request. */
export const SEND_BATCH_SIZE = 1000;

/** No user is waiting on the cron: the event API gets longer than Sync now's 2.5 s before a batch counts as lost. */
const BATCH_SEND_TIMEOUT_MS = 20_000;

/**
 * One page of the scheduler: claims up to `limit` due connections (their queued runs are created and
 * their next_sync_at moved forward) and sends one `connection/sync.requested` event per run, in batches,
 * each with its run's id as the event id, and records on the runs that Inngest accepted them. Returns the count only, so the cron's step output stays a
 * number however many connections are due (Inngest keeps every step's output in the run's 32 MB state).
 *
 * The claim commits before the events are sent. If a batch cannot be sent, its runs are released (deleted,
 * their connections due again) and this throws: Inngest retries the step, which claims them again. A send
 * that completes after we gave up on it is harmless: its sync finds no queued run and does nothing.
 */
export async function claimAndSendPage(options: {
  limit: number;
  parallel: number;
  now?: Date;
}): Promise<{ claimed: number }> {
  const now = options.now ?? new Date();
  const runs = await claimDueConnections({ now, limit: options.limit, parallel: options.parallel });
  const batches: (typeof runs)[] = [];
  for (let start = 0; start < runs.length; start += SEND_BATCH_SIZE) {
    batches.push(runs.slice(start, start + SEND_BATCH_SIZE));
  }
  const sent = await Promise.all(batches.map((batch) => sendSyncRuns(batch, { timeoutMs: BATCH_SEND_TIMEOUT_MS })));
  const unsent = batches.flatMap((batch, i) => (sent[i]!.ok ? [] : batch));
  if (unsent.length > 0) {
    await releaseClaims(
      unsent.map((run) => run.runId),
      now,
    );
    throw new Error(
      `Could not send ${unsent.length} of ${runs.length} scheduled syncs to Inngest; those connections are due again`,
    );
  }
  return { claimed: runs.length };
}
