import { eventType } from 'inngest';
import { z } from 'zod';

// Events carry ids only: never keys, ciphertexts or balances (Inngest stores and shows payloads).

/** Asks for every stored credential to be re-encrypted under the current key. Carries no data. */
export const credentialsRotationRequested = eventType('vault/credentials.rotation.requested', {
  schema: z.object({}).strict(),
});

/**
 * Run one queued sync (a `sync_runs` row) of one connection. The exchange id (not a secret) is there
 * so the throttle can keep each exchange within its per-IP limits.
 */
export const connectionSyncRequested = eventType('connection/sync.requested', {
  schema: z.object({ connectionId: z.string(), runId: z.string(), exchangeId: z.string() }).strict(),
});

/** The event that runs a queued sync; its id makes a replayed send start the run only once. */
export function syncRequestFor(run: { connectionId: string; runId: string; exchangeId: string }) {
  return connectionSyncRequested.create(
    { connectionId: run.connectionId, runId: run.runId, exchangeId: run.exchangeId },
    { id: `sync-${run.runId}` },
  );
}

/** The user pressed "Sync all": one sync per connection of theirs, through the same path. */
export const userSyncAllRequested = eventType('user/sync-all.requested', {
  schema: z.object({ userId: z.string() }).strict(),
});

/** A connection was disconnected: its pending syncs are cancelled (`cancelOn`). */
export const connectionDisconnected = eventType('connection/disconnected', {
  schema: z.object({ connectionId: z.string() }).strict(),
});

/**
 * Continue pruning old sync runs from this connection range: sent by prune-sync-runs itself when one run
 * has used its step budget (a daily run at 100,000 connections deletes ~29 million runs).
 */
export const syncRunsPruneRequested = eventType('sync-runs/prune.requested', {
  schema: z.object({ fromSlice: z.number().int().nonnegative() }).strict(),
});

/**
 * Import (backfill, then incrementally) the history of one connection: sent after connect, by the
 * history scheduler, by "Add a market", and by a run that reached its step bound (to continue). Ids
 * only; the exchange id keys the import's own per-exchange throttle.
 */
export const historyImportRequested = eventType('connection/history.import.requested', {
  schema: z.object({ connectionId: z.string(), userId: z.string(), exchangeId: z.string() }).strict(),
});
