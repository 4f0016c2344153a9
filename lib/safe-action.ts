import 'server-only';
import { randomUUID } from 'node:crypto';
import { createSafeActionClient } from 'next-safe-action';
import { getCurrentUser } from '@/lib/auth/session';
import { logger, withLogContext } from '@/lib/log';
import { reportError } from '@/lib/log/error-reporting';

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
  handleServerError(error, { ctx }) {
    if (error instanceof ActionError) return error.message;
    // The logger keeps a database error to its code and constraint and redacts every other message:
    // Drizzle's message quotes the query's parameters, ccxt's carry signed URLs.
    const { requestId } = ctx as { requestId?: string };
    logger.error({ err: error, requestId }, 'server action failed');
    void reportError(error, { request_id: requestId });
    return GENERIC_ERROR;
  },
  // Every line logged while an action runs carries its request id.
}).use(async ({ next }) => {
  const requestId = randomUUID();
  return withLogContext({ requestId }, () => next({ ctx: { requestId } }));
});

/** Resolves the signed-in user (session version checked against the database) or refuses. */
export const authActionClient = actionClient.use(async ({ next }) => {
  const user = await getCurrentUser();
  if (!user) throw new ActionError('Your session has ended. Sign in again to continue.');
  return next({ ctx: { user } });
});
