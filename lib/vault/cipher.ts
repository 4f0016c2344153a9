import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring, VaultKey } from './keyring';

/** Where a ciphertext lives. All of it is authenticated, so a value copied anywhere else fails to decrypt. */
export interface CiphertextContext {
  table: string;
  userId: string;
  rowId: string;
  field: string;
}

export type DecryptFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

/** One generic message for every failure: it never contains the ciphertext, the plaintext or a key. */
export class DecryptError extends Error {
  override name = 'DecryptError';
  constructor(
    readonly reason: DecryptFailure,
    readonly kid?: string,
  ) {
    super(
      reason === 'unknown_key'
        ? `Stored credentials are encrypted with key "${kid}", which is not in the keyring.`
        : 'Stored credentials could not be decrypted.',
    );
  }
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)$/;

/** Length-prefixed, so ("ab","c") and ("a","bc") give different bytes. */
function additionalData(kid: string, context: CiphertextContext): Buffer {
  const parts = ['coinsphere-vault', VERSION, kid, context.table, context.userId, context.rowId, context.field];
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

export function encryptWith(key: VaultKey, plaintext: string, context: CiphertextContext): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(key.kid, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const blob = Buffer.concat([nonce, body, cipher.getAuthTag()]);
  return `${VERSION}.${key.kid}.${blob.toString('base64url')}`;
}

export function encrypt(keyring: Keyring, plaintext: string, context: CiphertextContext): string {
  return encryptWith(keyring.current, plaintext, context);
}

/** The key id a ciphertext names, or null when it is not in the v1 format. */
export function ciphertextKeyId(ciphertext: string): string | null {
  return FORMAT.exec(ciphertext)?.[1] ?? null;
}

export function decrypt(keyring: Keyring, ciphertext: string, context: CiphertextContext): string {
  const match = FORMAT.exec(ciphertext);
  if (!match) throw new DecryptError('malformed');
  const [, kid, encoded] = match as unknown as [string, string, string];
  const key = keyring.keys.get(kid);
  if (!key) throw new DecryptError('unknown_key', kid);
  const blob = Buffer.from(encoded, 'base64url');
  if (blob.length < NONCE_BYTES + TAG_BYTES) throw new DecryptError('malformed');
  const nonce = blob.subarray(0, NONCE_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const body = blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES);
  return openSealed(key, nonce, body, tag, additionalData(kid, context));
}

/** AES-256-GCM open. Exported for the tag-length tests; everything else goes through `decrypt`. */
export function openSealed(key: VaultKey, nonce: Buffer, body: Buffer, tag: Buffer, aad: Buffer): string {
  try {
    // authTagLength pins the tag to 16 bytes: without it Node accepts a 4-, 8- or 12-byte prefix.
    const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptError('authentication_failed');
  }
}

export { additionalData as additionalDataFor };
