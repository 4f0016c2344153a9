import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  additionalDataFor,
  ciphertextKeyId,
  decrypt,
  DecryptError,
  encrypt,
  openSealed,
  type CiphertextContext,
} from './cipher';
import { parseKeyring } from './keyring';

const key = () => randomBytes(32).toString('base64');
const ring = parseKeyring(`k1:${key()},k2:${key()}`);
const context: CiphertextContext = {
  table: 'exchange_credentials',
  userId: 'user-a',
  rowId: 'conn-1',
  field: 'credentials',
};
const secret = JSON.stringify({ apiKey: 'AK-ünïcode-🔑', secret: 'S'.repeat(64), password: 'pass phrase' });

function decryptError(fn: () => unknown): DecryptError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptError);
    return error as DecryptError;
  }
  throw new Error('expected decryption to be refused');
}

function blobOf(ciphertext: string): Buffer {
  return Buffer.from(ciphertext.split('.')[2]!, 'base64url');
}

function withBlob(ciphertext: string, blob: Buffer): string {
  const [version, kid] = ciphertext.split('.');
  return `${version}.${kid}.${blob.toString('base64url')}`;
}

describe('vault ciphertexts', () => {
  it('round-trips and has the v1.<kid>.<nonce ‖ ciphertext ‖ tag> shape', () => {
    const ciphertext = encrypt(ring, secret, context);
    expect(ciphertext).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+$/);
    expect(blobOf(ciphertext).length).toBe(12 + Buffer.byteLength(secret) + 16);
    expect(ciphertextKeyId(ciphertext)).toBe('k1');
    expect(decrypt(ring, ciphertext, context)).toBe(secret);
  });

  it('uses a fresh nonce every time', () => {
    const a = encrypt(ring, secret, context);
    const b = encrypt(ring, secret, context);
    expect(a).not.toBe(b);
    expect(blobOf(a).subarray(0, 12).equals(blobOf(b).subarray(0, 12))).toBe(false);
  });

  it('refuses the wrong key under the same key id', () => {
    const impostor = parseKeyring(`k1:${key()}`);
    expect(decryptError(() => decrypt(impostor, encrypt(ring, secret, context), context)).reason).toBe(
      'authentication_failed',
    );
  });

  it.each<[string, Partial<CiphertextContext>]>([
    ['another row', { rowId: 'conn-2' }],
    ['another user', { userId: 'user-b' }],
    ['another field', { field: 'apiKey' }],
    ['another table', { table: 'users' }],
    ['a shifted boundary between user and row', { userId: 'user-ac', rowId: 'onn-1' }],
  ])('refuses a ciphertext moved to %s', (_label, moved) => {
    const ciphertext = encrypt(ring, secret, context);
    expect(decryptError(() => decrypt(ring, ciphertext, { ...context, ...moved })).reason).toBe(
      'authentication_failed',
    );
  });

  it('refuses a single flipped bit anywhere in nonce, ciphertext or tag', () => {
    const ciphertext = encrypt(ring, 'short secret', context);
    const blob = blobOf(ciphertext);
    let refused = 0;
    for (let i = 0; i < blob.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const tampered = Buffer.from(blob);
        tampered[i]! ^= bit;
        decryptError(() => decrypt(ring, withBlob(ciphertext, tampered), context));
        refused++;
      }
    }
    expect(refused).toBe(blob.length * 2);
  });

  it.each([4, 8, 12])('refuses a tag truncated to %i bytes', (length) => {
    const ciphertext = encrypt(ring, secret, context);
    const blob = blobOf(ciphertext);
    const nonce = blob.subarray(0, 12);
    const body = blob.subarray(12, blob.length - 16);
    const tag = blob.subarray(blob.length - 16);
    const aad = additionalDataFor('k1', context);
    // The full tag opens it; a prefix of it must not (Node accepts one unless the length is pinned).
    expect(openSealed(ring.current, nonce, body, tag, aad)).toBe(secret);
    expect(decryptError(() => openSealed(ring.current, nonce, body, tag.subarray(0, length), aad)).reason).toBe(
      'authentication_failed',
    );
    // And through the public format: a shortened blob is refused too.
    decryptError(() => decrypt(ring, withBlob(ciphertext, blob.subarray(0, blob.length - (16 - length))), context));
  });

  it('refuses a header relabelled to another key in the ring', () => {
    const ciphertext = encrypt(ring, secret, context);
    expect(decryptError(() => decrypt(ring, ciphertext.replace('v1.k1.', 'v1.k2.'), context)).reason).toBe(
      'authentication_failed',
    );
  });

  it('names an unknown key id clearly, without leaking the value', () => {
    const ciphertext = encrypt(ring, secret, context).replace('v1.k1.', 'v1.gone.');
    const error = decryptError(() => decrypt(ring, ciphertext, context));
    expect(error.reason).toBe('unknown_key');
    expect(error.message).toBe('Stored credentials are encrypted with key "gone", which is not in the keyring.');
  });

  it.each(['', 'salt:iv:tag:ciphertext', 'v2.k1.AAAA', 'v1.k1.', 'v1.k1.AAAAAAAA', 'v1.k.1.AAAA'])(
    'refuses malformed input %j',
    (input) => {
      expect(decryptError(() => decrypt(ring, input, context)).reason).toBe('malformed');
    },
  );

  it('says nothing about the plaintext or the ciphertext when it fails', () => {
    const ciphertext = encrypt(ring, secret, context);
    const error = decryptError(() => decrypt(ring, ciphertext, { ...context, userId: 'someone-else' }));
    expect(error.message).toBe('Stored credentials could not be decrypted.');
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(
      blobOf(ciphertext).toString('base64url').slice(0, 16),
    );
    expect(String(error.stack)).not.toContain('S'.repeat(16));
  });
});
