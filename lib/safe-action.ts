import 'server-only';
import { createSafeActionClient } from 'next-safe-action';
import { getCurrentUser } from '@/lib/auth/session';
import { safeErrorMessage } from '@/lib/vault/redact';

/** An error whose message is meant for the user and is shown as is. */
export class ActionError extends Error {
  override name = 'ActionError';
}

export const GENERIC_ERROR = 'Something went wrong on our side. Try again in a moment.';

/**
 * Every server action goes through one of these clients, so each one reads
 * `schema → auth → do one thing`: input is parsed with zod before the action body runs, and
 * unexpected errors reach the user as one generic sentence, never as a stack or driver message.
 */
export const actionClient = createSafeActionClient({
  handleServerError(error) {
    if (error instanceof ActionError) return error.message;
    // Redacted: driver and ccxt messages can carry signed URLs or keys.
    console.error(`[action] ${safeErrorMessage(error)}`);
    return GENERIC_ERROR;
  },
});

/** Resolves the signed-in user (session version checked against the database) or refuses. */
export const authActionClient = actionClient.use(async ({ next }) => {
  const user = await getCurrentUser();
  if (!user) throw new ActionError('Your session has ended. Sign in again to continue.');
  return next({ ctx: { user } });
});
