// Runs once when a server process starts. Checks the encryption keys before serving anything,
// so a wrong or missing key stops the app with one line instead of failing every sync later.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { overrideProblem } = await import('@/lib/exchanges/redirect');
  const problem = overrideProblem();
  if (problem) {
    console.error(`Coinsphere cannot start: ${problem}`);
    process.exit(1);
  }
  const { checkVaultAtStartup } = await import('@/lib/vault/startup');
  await checkVaultAtStartup();
}
