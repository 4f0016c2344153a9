// Runs once when a server process starts: refuses to serve with a wrong or missing encryption key,
// or with an exchange API override in production, instead of failing every sync later.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { runStartupChecks } = await import('@/lib/config/startup-checks');
  await runStartupChecks();
  // Error reporting only when SENTRY_DSN is set; every event is scrubbed like a log line (lib/log/error-reporting).
  const { sentryOptions } = await import('@/lib/log/error-reporting');
  const options = sentryOptions();
  if (options) (await import('@sentry/nextjs')).init(options);
}

/** Errors Next catches while rendering or handling a request, reported when Sentry is set up. */
export async function onRequestError(...args: Parameters<typeof import('@sentry/nextjs').captureRequestError>) {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || !process.env.SENTRY_DSN?.trim()) return;
  const Sentry = await import('@sentry/nextjs');
  if (Sentry.isInitialized()) Sentry.captureRequestError(...args);
}
