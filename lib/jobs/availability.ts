import { inngestDevModeRequested } from './dev-mode';

type Env = Record<string, string | undefined>;

/**
 * How background work reaches its runner in this process:
 * - `background`: Inngest runs it (the dev server in development, Inngest Cloud or self-hosted otherwise);
 * - `inline`: development, and no Inngest dev server answers. Sync now and Sync all run in this process
 *   instead, and nothing runs on a schedule;
 * - `unconfigured`: production in cloud mode without INNGEST_SIGNING_KEY, whose /api/inngest refuses
 *   every call, so Inngest never runs the scheduler (sending may still fail: the user is told then).
 */
export type JobsMode = 'background' | 'inline' | 'unconfigured';

export interface JobsStatus {
  mode: JobsMode;
  /** Scheduled syncs cannot run: the status says "Scheduled syncs paused" rather than promise one. */
  scheduledSyncsPaused: boolean;
}

/** A local dev server answers in milliseconds; longer than this and it is not there (or hung). */
export const PROBE_TIMEOUT_MS = 750;
/** How long a probe's answer is reused: a dev server started later is picked up within this. */
export const PROBE_CACHE_MS = 5_000;

const DEFAULT_DEV_SERVER_URL = 'http://localhost:8288';

/** The Inngest dev server's URL as the SDK resolves it: INNGEST_BASE_URL, INNGEST_DEV as a URL, or :8288. */
export function devServerUrl(env: Env = process.env): string {
  const base = env.INNGEST_BASE_URL?.trim();
  if (base) return base;
  const dev = env.INNGEST_DEV?.trim() ?? '';
  if (/^https?:\/\//i.test(dev)) return dev;
  return DEFAULT_DEV_SERVER_URL;
}

/**
 * Whether Sync now and Sync all may run in this process when Inngest cannot be reached: only under
 * `next dev` (NODE_ENV development) in Inngest's dev mode. A production server never does, whatever its
 * Inngest settings: its syncs must go through Inngest's throttle and retries, and a failure to reach
 * Inngest is an outage its operator must see, not something to paper over.
 */
export function inlineFallbackAllowed(env: Env = process.env): boolean {
  return env.NODE_ENV === 'development' && inngestDevModeRequested(env);
}

/** Any HTTP answer from the dev server's URL means it is there (the dashboard answers `/`). */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(new URL('/', url), { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

let cached: { url: string; at: number; reachable: Promise<boolean> } | undefined;

/**
 * Whether the Inngest dev server answers, probed at most once per PROBE_CACHE_MS (concurrent callers
 * share the probe in flight). A probe rather than trying a send: the page must know before anything is
 * sent (to tell the user scheduling is off), and a send to a closed port costs the SDK's retries.
 */
export function devServerReachable(env: Env = process.env, now = Date.now()): Promise<boolean> {
  const url = devServerUrl(env);
  if (cached && cached.url === url && now - cached.at < PROBE_CACHE_MS) return cached.reachable;
  const reachable = answers(url, PROBE_TIMEOUT_MS);
  cached = { url, at: now, reachable };
  return reachable;
}

/** Forget the last probe: a send just failed, so the next question probes again. */
export function forgetDevServerProbe(): void {
  cached = undefined;
}

/** How background work runs right now, and whether scheduled syncs can. */
export async function jobsStatus(env: Env = process.env): Promise<JobsStatus> {
  if (inlineFallbackAllowed(env) && !(await devServerReachable(env))) {
    return { mode: 'inline', scheduledSyncsPaused: true };
  }
  if (env.NODE_ENV === 'production' && !inngestDevModeRequested(env) && !env.INNGEST_SIGNING_KEY?.trim()) {
    return { mode: 'unconfigured', scheduledSyncsPaused: true };
  }
  return { mode: 'background', scheduledSyncsPaused: false };
}
