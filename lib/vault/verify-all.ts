import 'server-only';
import { getDb, type Database } from '@/db';
import { ciphertextKeyId, DecryptError } from './cipher';
import { getKeyring, type Keyring } from './keyring';
import { credentialsPage, openCredentials } from './store';

/** Why a stored credential cannot be used: the cipher's reasons, a mislabelled row, or a value that is not credentials. */
export type UnreadableReason = DecryptError['reason'] | 'key_id_mismatch' | 'not_credentials';

export interface UnreadableCredential {
  connectionId: string;
  userId: string;
  reason: UnreadableReason;
}

export interface CredentialsCheck {
  checked: number;
  unreadable: UnreadableCredential[];
}

export const VERIFY_BATCH_SIZE = 500;

function problemWith(
  row: { connectionId: string; userId: string; ciphertext: string; keyId: string },
  keyring: Keyring,
): UnreadableReason | null {
  try {
    openCredentials(row, row.ciphertext, keyring);
  } catch (error) {
    return error instanceof DecryptError ? error.reason : 'not_credentials';
  }
  // Rotation and `retirableKids` trust the key_id column: a row that names another key than its value would
  // let the key it really needs be retired.
  return ciphertextKeyId(row.ciphertext) === row.keyId ? null : 'key_id_mismatch';
}

/**
 * Decrypts every stored credential set, in batches (keyset pages by connection id), and lists the connections
 * whose value cannot be used — copied to another row, truncated, altered, written by a key no longer in the
 * keyring, or labelled with another key id. Only ids and reasons leave this function, never a value.
 */
export async function verifyAllCredentials(
  options: { batchSize?: number; keyring?: Keyring } = {},
  db: Database = getDb(),
): Promise<CredentialsCheck> {
  const batchSize = options.batchSize ?? VERIFY_BATCH_SIZE;
  const keyring = options.keyring ?? getKeyring();
  const unreadable: UnreadableCredential[] = [];
  let checked = 0;
  let after: string | null = null;
  for (;;) {
    const rows = await credentialsPage(after, batchSize, db);
    for (const row of rows) {
      const reason = problemWith(row, keyring);
      if (reason) unreadable.push({ connectionId: row.connectionId, userId: row.userId, reason });
    }
    checked += rows.length;
    if (rows.length < batchSize) return { checked, unreadable };
    after = rows[rows.length - 1]!.connectionId;
  }
}
