// Runs before `next start`: refuse to serve with a one-line explanation instead of failing later.
import { MISSING_AUTH_SECRET } from '@/lib/auth/secret';

const problems: string[] = [];
if (!process.env.AUTH_SECRET?.trim()) problems.push(MISSING_AUTH_SECRET);

if (problems.length > 0) {
  for (const problem of problems) console.error(`Coinsphere cannot start: ${problem}`);
  process.exit(1);
}
