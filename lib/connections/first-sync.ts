import 'server-only';
import type { BalanceResult } from '@/lib/exchanges/types';
import { markRunFailed } from '@/lib/sync/runs';
import { applySyncResult } from '@/lib/sync/sync-connection';
import { logger } from '@/lib/log';

export const NOT_SAVED_MESSAGE = 'The balances read just now could not be saved. The next sync will read them again.';

/**
 * Applies balances the connect (or key update) flow has already read as the run `runId`, so the
 * portfolio fills at once without a second exchange call. If saving fails, the run is closed as
 * failed rather than left queued: nothing will send an event for it, and a queued run would block
 * every later sync of the connection.
 */
export async function applyBalancesAlreadyRead(input: {
  connectionId: string;
  runId: string;
  balances: BalanceResult;
}): Promise<boolean> {
  try {
    await applySyncResult({ connectionId: input.connectionId, runId: input.runId, result: input.balances });
    return true;
  } catch (error) {
    logger.error({ err: error, connectionId: input.connectionId, syncRunId: input.runId }, 'saving the balances read at connect failed');
    await markRunFailed(input.runId, { kind: 'other', message: NOT_SAVED_MESSAGE }).catch(() => undefined);
    return false;
  }
}
