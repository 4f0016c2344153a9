/**
 * Regenerates catalog.generated.json from the installed ccxt: `npx tsx lib/exchanges/catalog-generate.ts`.
 *
 * The app never imports all of ccxt (0.5 s and +84 MB per process, and it must stay out of client
 * bundles), so the facts the connect form needs are snapshotted here at build time. catalog.test.ts
 * compares the snapshot with ccxt, so a ccxt upgrade fails the tests until this script is run again.
 */
import ccxt from 'ccxt';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { CREDENTIAL_FIELD_NAMES } from './catalog';

/** The credential names the catalog knows how to label; anything else ccxt starts requiring must be added by hand. */
const KNOWN_CREDENTIALS = new Set<string>(CREDENTIAL_FIELD_NAMES);

export interface GeneratedExchange {
  id: string;
  name: string;
  /** ccxt's `requiredCredentials` that are true, in ccxt's order. */
  requiredCredentials: string[];
  /** ccxt has `urls.test`, so `setSandboxMode(true)` works. */
  sandbox: boolean;
}

const outputPath = fileURLToPath(new URL('./catalog.generated.json', import.meta.url));

// ESM `ccxt.version` is a stale constant (4.5.83 in 4.5.84), so the version comes from the package itself.
function installedCcxtVersion(): string {
  const require = createRequire(import.meta.url);
  const packageJson = path.resolve(path.dirname(require.resolve('ccxt')), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

function readCcxtCatalog(): GeneratedExchange[] {
  const exchanges: GeneratedExchange[] = [];
  for (const id of [...ccxt.exchanges].sort()) {
    const ExchangeClass = (ccxt as unknown as Record<string, new () => InstanceType<typeof ccxt.Exchange>>)[id];
    if (!ExchangeClass) throw new Error(`ccxt lists "${id}" but exports no class for it`);
    const exchange = new ExchangeClass();
    if (!exchange.has.fetchBalance) continue;
    const requiredCredentials = Object.entries(exchange.requiredCredentials)
      .filter(([, required]) => required)
      .map(([name]) => name);
    const unknown = requiredCredentials.filter((name) => !KNOWN_CREDENTIALS.has(name));
    if (unknown.length > 0) {
      throw new Error(`${id} requires ${unknown.join(', ')}: add labels for them to catalog.ts and KNOWN_CREDENTIALS`);
    }
    exchanges.push({ id, name: String(exchange.name), requiredCredentials, sandbox: exchange.urls.test !== undefined });
  }
  return exchanges;
}

async function main(): Promise<void> {
  const catalog = { ccxtVersion: installedCcxtVersion(), exchanges: readCcxtCatalog() };
  const prettierConfig = await resolveConfig(outputPath);
  const json = await format(JSON.stringify(catalog), { ...prettierConfig, filepath: outputPath });
  writeFileSync(outputPath, json);
  console.info(`Wrote ${catalog.exchanges.length} exchanges (ccxt ${catalog.ccxtVersion}) to ${outputPath}`);
}

await main();
