// Runs before `next start`: refuse to serve with a one-line explanation instead of failing later.
import { MISSING_AUTH_SECRET } from '@/lib/auth/secret';
import { overrideProblem } from '@/lib/exchanges/redirect';
import { inngestDevProblem } from '@/lib/jobs/dev-mode';
import { KeyringError, loadKeyring } from '@/lib/vault/keyring';

const problems: string[] = [];
if (!process.env.AUTH_SECRET?.trim()) problems.push(MISSING_AUTH_SECRET);
try {
  loadKeyring();
} catch (error) {
  problems.push(error instanceof KeyringError ? error.message : 'ENCRYPTION_KEYS could not be read.');
}
const override = overrideProblem();
if (override) problems.push(override);
const inngestDev = inngestDevProblem();
if (inngestDev) problems.push(inngestDev);

if (problems.length > 0) {
  for (const problem of problems) console.error(`Coinsphere cannot start: ${problem}`);
  process.exit(1);
}
