import 'server-only';
import { overrideProblem } from '@/lib/exchanges/redirect';
import { checkVaultAtStartup } from '@/lib/vault/startup';

export async function runStartupChecks(): Promise<void> {
  const problem = overrideProblem();
  if (problem) {
    console.error(`Coinsphere cannot start: ${problem}`);
    process.exit(1);
  }
  await checkVaultAtStartup();
}
