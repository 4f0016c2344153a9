// `npm run exchange:check -- --exchange binance`: see lib/connections/exchange-check.ts. Exit code 0 when
// Coinsphere would accept the key, 1 when it would refuse it, 2 for a usage mistake.
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { stopCountingExchangeRequests } from '@/lib/limits/exchange-budget';
import {
  checkExchangeKey,
  credentialsFromEnvironment,
  credentialsFromJson,
  formatReport,
  parseCheckArguments,
  USAGE,
  UsageError,
} from './exchange-check';

async function main(): Promise<number> {
  // No database here: the installation's request budget is the app's, not this one-off check's.
  stopCountingExchangeRequests();
  const args = parseCheckArguments(process.argv.slice(2));
  let fields: Record<string, string>;
  if (args.fromStdin) {
    if (process.stdin.isTTY) throw new UsageError('--stdin: pipe the JSON in (e.g. < key.json); it is not typed here.');
    fields = credentialsFromJson(await text(process.stdin));
  } else {
    fields = credentialsFromEnvironment(args.exchangeId, process.env, (file) => readFileSync(file, 'utf8'));
    if (Object.keys(fields).length === 0) throw new UsageError(`No key in the environment.\n\n${USAGE}`);
  }
  const report = await checkExchangeKey(args.exchangeId, fields, args.sandbox);
  console.info(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.usable ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    // Only the error's class: its message could hold a path or a value read from the environment.
    console.error(`exchange:check failed: ${(error as Error).name}`);
    process.exitCode = 1;
  }
}
