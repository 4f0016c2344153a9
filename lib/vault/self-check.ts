import 'server-only';
import { eq } from 'drizzle-orm';
import { getDb } from '@/db';
import { vaultKeyChecks } from '@/db/schema';
import { decrypt, DecryptError, encryptWith, type CiphertextContext } from './cipher';
import { getKeyring, KeyringError } from './keyring';
import { keyUsage } from './rotate';

const PROBE_PLAINTEXT = 'coinsphere-vault-key-check';

const probeContext = (kid: string): CiphertextContext => ({
  table: 'vault_key_checks',
  userId: '-',
  rowId: kid,
  field: 'probe',
});

/**
 * Decrypts one known probe per key so that a mistyped or swapped key stops the app at start instead
 * of failing every sync later. A key seen for the first time gets its probe written now.
 */
export async function verifyKeyring(): Promise<{ verified: string[]; enrolled: string[]; warnings: string[] }> {
  const keyring = getKeyring();
  const db = getDb();
  const verified: string[] = [];
  const enrolled: string[] = [];
  for (const key of keyring.keys.values()) {
    const [row] = await db.select().from(vaultKeyChecks).where(eq(vaultKeyChecks.keyId, key.kid));
    if (!row) {
      await db
        .insert(vaultKeyChecks)
        .values({ keyId: key.kid, probe: encryptWith(key, PROBE_PLAINTEXT, probeContext(key.kid)) })
        .onConflictDoNothing();
      enrolled.push(key.kid);
      continue;
    }
    let ok = false;
    try {
      ok = decrypt(keyring, row.probe, probeContext(key.kid)) === PROBE_PLAINTEXT;
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
    }
    if (!ok) {
      throw new KeyringError(
        `Encryption key "${key.kid}" is not the key that encrypted this database's data; check ENCRYPTION_KEYS.`,
      );
    }
    verified.push(key.kid);
  }
  const usage = await keyUsage();
  const warnings = usage.missingKids.map(
    (kid) =>
      `${usage.credentials[kid]} stored credential(s) use key "${kid}", which is not in the keyring: they cannot be decrypted until it is added back.`,
  );
  return { verified, enrolled, warnings };
}
