import 'server-only';
import { dispatch, type DispatchResult } from '@/lib/jobs/dispatch';
import { connectionSyncRequested, syncRequestFor } from '@/lib/jobs/events';
import { recordAcceptedEvents } from './runs';

export interface RunToSend {
  connectionId: string;
  runId: string;
  exchangeId: string;
  /** The event's idempotency id; `sync-<runId>` unless the run is being sent again. */
  eventId?: string;
}

/**
 * Sends the `connection/sync.requested` event of each queued run and records on the runs the ids
 * Inngest's event API answered, so the clean-up can tell a run Inngest holds (in its throttle queue,
 * waiting for a retry) from one whose event never reached it (`markUnsentRuns`). Never throws for the
 * send (see `dispatch`); a failure to record throws, and the run then counts as unsent: its event may
 * start it anyway before the clean-up, and after it finds the run stale and does nothing.
 */
export async function sendSyncRuns(
  runs: readonly RunToSend[],
  options: { timeoutMs?: number } = {},
): Promise<DispatchResult> {
  if (runs.length === 0) return { ok: true, ids: [] };
  const events = runs.map((run) =>
    run.eventId === undefined
      ? syncRequestFor(run)
      : connectionSyncRequested.create(
          { connectionId: run.connectionId, runId: run.runId, exchangeId: run.exchangeId },
          { id: run.eventId },
        ),
  );
  const sent = await dispatch(events, options);
  if (sent.ok) {
    // The event API answers one id per event, in order.
    await recordAcceptedEvents(runs.map((run, i) => ({ runId: run.runId, eventId: sent.ids[i] ?? run.runId })));
  }
  return sent;
}
