/**
 * Inngest's dev mode serves /api/inngest without checking request signatures: anyone who can reach
 * the app can run any function with any event (start syncs for another user's connections, rotate
 * credentials). It is for `npm run dev` and the tests. In production it is refused, at start-up and
 * by the route itself, unless the operator says it is intended (an app reachable only from a private
 * network with a self-hosted dev server, or the browser tests' production build).
 */

export const ALLOW_INNGEST_DEV = 'ALLOW_INNGEST_DEV';

export const INNGEST_DEV_REFUSED =
  'INNGEST_DEV is set in production, which serves /api/inngest without signature checks (anyone could start jobs); unset it and set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY, or set ALLOW_INNGEST_DEV=1 if that is intended.';

type Env = Record<string, string | undefined>;

/**
 * Whether the Inngest SDK runs in dev mode under `env`. The SDK's rule: INNGEST_DEV "1"/"true" is dev,
 * "0"/"false" cloud, and any other value is taken as the dev server's URL (dev too).
 */
export function inngestDevModeRequested(env: Env = process.env): boolean {
  const value = env.INNGEST_DEV?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false' && value !== 'undefined';
}

/** The reason a production process must not serve Inngest in dev mode, or null when it may. */
export function inngestDevProblem(env: Env = process.env): string | null {
  if (env.NODE_ENV !== 'production' || !inngestDevModeRequested(env)) return null;
  return env[ALLOW_INNGEST_DEV] === '1' ? null : INNGEST_DEV_REFUSED;
}
