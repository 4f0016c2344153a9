/**
 * The pages a newcomer opens first, compiled by `npm run dev` one after the other once Next answers (two
 * cores compiling several routes at once finish none of them sooner). Pages behind sign-in are asked for
 * as a link prefetch does, which the proxy lets through (see proxy.ts's matcher), so the route itself
 * compiles rather than the sign-in redirect.
 */
export const WARM_ROUTES: ReadonlyArray<{ path: string; signedIn: boolean }> = [
  { path: '/sign-in', signedIn: false },
  { path: '/sign-up', signedIn: false },
  { path: '/', signedIn: true },
  { path: '/exchanges', signedIn: true },
  { path: '/exchanges/new', signedIn: true },
  { path: '/exchanges/00000000-0000-4000-8000-000000000000', signedIn: true },
  { path: '/portfolio', signedIn: true },
  { path: '/settings', signedIn: true },
  { path: '/api/sync-status', signedIn: false },
];

/** A first compile on two busy cores can take minutes; a route that takes longer is left to the visitor. */
const WARM_TIMEOUT_MS = 300_000;
const PREFETCH_HEADERS = { rsc: '1', 'next-router-prefetch': '1' };

async function request(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(WARM_TIMEOUT_MS) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until Next answers at `appUrl`, asks for each main route once, in turn, then prints
 * "Ready on <appUrl>". Stops early when `stopping()` says so. Never throws.
 */
export async function warmRoutes(
  appUrl: string,
  options: { stopping?: () => boolean; print?: (line: string) => void; pollMs?: number } = {},
): Promise<void> {
  const stopping = options.stopping ?? (() => false);
  const print = options.print ?? ((line: string) => console.info(line));
  while (!stopping() && !(await request(`${appUrl}/sign-in`))) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
  const started = Date.now();
  for (const route of WARM_ROUTES) {
    if (stopping()) return;
    await request(`${appUrl}${route.path}`, route.signedIn ? PREFETCH_HEADERS : {});
  }
  if (!stopping()) print(`Ready on ${appUrl} (main pages compiled in ${Math.round((Date.now() - started) / 1000)} s).`);
}
