// Runs once when a server process starts: refuses to serve with a wrong or missing encryption key,
// or with an exchange API override in production, instead of failing every sync later.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { runStartupChecks } = await import('@/lib/config/startup-checks');
  await runStartupChecks();
}
