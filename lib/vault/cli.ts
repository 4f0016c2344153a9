// `npm run vault:rotate` re-encrypts every stored credential under the current key;
// `npm run vault:check` decrypts every stored value, lists the connections whose value cannot be used, and
// reports how many values remain on each key. Both print JSON.
import { closeDb } from '@/db';
import { KeyringError } from './keyring';
import { keyUsage, rotateAllCredentials } from './rotate';
import { verifyKeyring } from './self-check';
import { verifyAllCredentials } from './verify-all';

const command = process.argv[2];

async function main(): Promise<number> {
  if (command === 'rotate') {
    await verifyKeyring();
    const totals = await rotateAllCredentials();
    const usage = await keyUsage();
    console.info(JSON.stringify({ rotation: totals, remaining: usage.credentials }, null, 2));
    return totals.failedIds.length > 0 ? 1 : 0;
  }
  if (command === 'check') {
    const check = await verifyKeyring();
    const usage = await keyUsage();
    const values = await verifyAllCredentials();
    console.info(
      JSON.stringify({ ...usage, verifiedKids: check.verified, warnings: check.warnings, ...values }, null, 2),
    );
    return usage.missingKids.length > 0 || values.unreadable.length > 0 ? 1 : 0;
  }
  console.error('Usage: vault rotate | vault check');
  return 2;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof KeyringError ? error.message : `Vault command failed: ${(error as Error).name}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
