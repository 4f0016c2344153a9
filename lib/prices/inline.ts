import 'server-only';
import { inngestDevModeRequested } from '@/lib/jobs/dev-mode';

const PROBE_TIMEOUT_MS = 500;
const PROBE_CACHE_MS = 30_000;
let probed: { at: number; reachable: boolean } | undefined;

/** The dev server's URL as the Inngest SDK finds it: INNGEST_BASE_URL, a URL in INNGEST_DEV, or its default port. */
function devServerUrl(env: NodeJS.ProcessEnv): string {
  if (env.INNGEST_BASE_URL) return env.INNGEST_BASE_URL;
  const dev = env.INNGEST_DEV?.trim() ?? '';
  return /^https?:\/\//.test(dev) ? dev : 'http://127.0.0.1:8288';
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether work Inngest would do on a schedule has to be done inline: only in development (Inngest
 * dev mode, not production) when no dev server answers, so cron functions never run. Probed at most
 * every 30 s.
 */
export async function shouldRefreshInline(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.NODE_ENV === 'production' || !inngestDevModeRequested(env)) return false;
  const now = Date.now();
  if (!probed || now - probed.at > PROBE_CACHE_MS) probed = { at: now, reachable: await answers(devServerUrl(env)) };
  return !probed.reachable;
}

/** Tests change the environment between cases. */
export function forgetInngestProbe(): void {
  probed = undefined;
}
