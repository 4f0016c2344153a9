import { inngestDevProblem } from './dev-mode';
import { logger } from '@/lib/log';

let logged = false;

/**
 * Wraps a handler of the /api/inngest route so that a production process in Inngest's dev mode (which
 * checks no signatures) answers 503 instead of running functions for whoever asks. Decided on every
 * request, from the environment the SDK itself reads on every request. The start-up check refuses the
 * same configuration; this keeps the endpoint shut if the process was started some other way.
 */
export function refuseUnsignedInProduction<Args extends unknown[]>(
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    const problem = inngestDevProblem();
    if (!problem) return handler(...args);
    if (!logged) {
      logged = true;
      logger.error(`refusing requests to /api/inngest: ${problem}`);
    }
    return Response.json(
      { error: 'Background jobs are disabled on this server: it is misconfigured (see its log).' },
      { status: 503 },
    );
  };
}
