import 'server-only';
import { overrideProblem } from '@/lib/exchanges/redirect';
import { checkVaultAtStartup } from '@/lib/vault/startup';
import { logger } from '@/lib/log';

export async function runStartupChecks(): Promise<void> {
  const problem = overrideProblem();
  if (problem) {
    logger.fatal(`Coinsphere cannot start: ${problem}`);
    process.exit(1);
  }
  await checkVaultAtStartup();
}
