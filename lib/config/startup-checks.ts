import 'server-only';
import { overrideProblem } from '@/lib/exchanges/redirect';
import { inngestDevProblem } from '@/lib/jobs/dev-mode';
import { checkVaultAtStartup } from '@/lib/vault/startup';
import { logger } from '@/lib/log';

export async function runStartupChecks(): Promise<void> {
  // `next start` run directly skips npm start's check-production-env: the same refusals here.
  const problems = [overrideProblem(), inngestDevProblem()].filter((problem) => problem !== null);
  if (problems.length > 0) {
    for (const problem of problems) logger.fatal(`Coinsphere cannot start: ${problem}`);
    process.exit(1);
  }
  await checkVaultAtStartup();
}
