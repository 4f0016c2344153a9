import 'server-only';
import { createHmac } from 'node:crypto';
import type { Keyring, VaultKey } from './keyring';

function lengthPrefixed(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * A blind index of an api key: HMAC-SHA256 under the fingerprint subkey, scoped by exchange. It
 * lets the app say "this key is already connected" without storing or comparing the key itself.
 * Full length, case-sensitive (api keys are), surrounding white space ignored.
 */
export function fingerprintWith(key: VaultKey, exchangeId: string, apiKey: string): string {
  return createHmac('sha256', key.fingerprintKey)
    .update(Buffer.concat([lengthPrefixed('api-key'), lengthPrefixed(exchangeId), lengthPrefixed(apiKey.trim())]))
    .digest('base64url');
}

/** The fingerprint under every key in the ring, so a lookup also finds rows not yet rotated. */
export function fingerprintCandidates(keyring: Keyring, exchangeId: string, apiKey: string): string[] {
  return [...keyring.keys.values()].map((key) => fingerprintWith(key, exchangeId, apiKey));
}
