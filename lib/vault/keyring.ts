import 'server-only';
import { hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isProduction, readOrCreateDataFile } from '@/lib/runtime/data-file';
import { logger } from '@/lib/log';

export interface VaultKey {
  kid: string;
  /** AES-256-GCM key for credential ciphertexts. */
  encryptionKey: Buffer;
  /** HMAC-SHA256 key for duplicate-key fingerprints. */
  fingerprintKey: Buffer;
}

export interface Keyring {
  /** The key new values are encrypted with: the first one listed. */
  current: VaultKey;
  keys: ReadonlyMap<string, VaultKey>;
}

/** A configuration problem with the encryption keys; its message is one line meant for the operator. */
export class KeyringError extends Error {
  override name = 'KeyringError';
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;

// Subkeys per purpose, derived once when the keyring is parsed. The keys are random, so HKDF
// (not a password hash) is the right tool and per-value derivation would only cost time.
const ENCRYPTION_INFO = 'coinsphere/vault/aes-256-gcm/v1';
const FINGERPRINT_INFO = 'coinsphere/vault/fingerprint/hmac-sha256/v1';

function subkey(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, KEY_BYTES));
}

function decodeKey(kid: string, encoded: string, source: string): Buffer {
  const bytes = Buffer.from(encoded, 'base64');
  const canonical = bytes.toString('base64');
  if (canonical.replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    throw new KeyringError(`${source}: key "${kid}" is not base64. Generate one with \`openssl rand -base64 32\`.`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new KeyringError(
      `${source}: key "${kid}" is ${bytes.length} bytes; it must be exactly 32 (\`openssl rand -base64 32\`).`,
    );
  }
  return bytes;
}

/**
 * Parses `kid:base64(32 bytes)` entries separated by commas or new lines; the first is current.
 * Any problem stops the app with one line that names the key, never its value.
 */
export function parseKeyring(spec: string, source = 'ENCRYPTION_KEYS'): Keyring {
  const entries = spec
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry && !entry.startsWith('#'));
  if (entries.length === 0) throw new KeyringError(`${source} is empty: give at least one kid:base64key entry.`);
  const keys = new Map<string, VaultKey>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const kid = colon === -1 ? '' : entry.slice(0, colon).trim();
    if (!KID.test(kid)) {
      throw new KeyringError(
        `${source}: every entry must look like kid:base64key with a kid of letters, digits, _ or - (entry ${keys.size + 1}).`,
      );
    }
    if (keys.has(kid)) throw new KeyringError(`${source}: key id "${kid}" appears twice.`);
    const master = decodeKey(kid, entry.slice(colon + 1).trim(), source);
    keys.set(kid, {
      kid,
      encryptionKey: subkey(master, ENCRYPTION_INFO),
      fingerprintKey: subkey(master, FINGERPRINT_INFO),
    });
  }
  return { current: keys.values().next().value as VaultKey, keys };
}

export function generateKeyEntry(kid: string): string {
  return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * ENCRYPTION_KEYS, else the file named by ENCRYPTION_KEYS_FILE, else (development only) a keyring
 * generated once into `.data/encryption-keys`. Production without keys refuses to start.
 */
export function loadKeyring(env: Record<string, string | undefined> = process.env): Keyring {
  const inline = env.ENCRYPTION_KEYS?.trim();
  if (inline) return parseKeyring(inline, 'ENCRYPTION_KEYS');
  const file = env.ENCRYPTION_KEYS_FILE?.trim();
  if (file) {
    let contents: string;
    try {
      contents = readFileSync(file, 'utf8');
    } catch {
      throw new KeyringError(`ENCRYPTION_KEYS_FILE: cannot read ${file}.`);
    }
    return parseKeyring(contents, 'ENCRYPTION_KEYS_FILE');
  }
  if (isProduction()) {
    throw new KeyringError(MISSING_ENCRYPTION_KEYS);
  }
  const { value, created } = readOrCreateDataFile('encryption-keys', () => `${generateKeyEntry('dev1')}\n`);
  if (created)
    logger.info('Generated a development encryption key in .data/encryption-keys (never use it in production).');
  return parseKeyring(value, '.data/encryption-keys');
}

export const MISSING_ENCRYPTION_KEYS =
  'ENCRYPTION_KEYS (or ENCRYPTION_KEYS_FILE) is required in production: set it to kid:base64key, e.g. "k1:$(openssl rand -base64 32)".';

let cached: Keyring | undefined;

/** The process's keyring, parsed once. */
export function getKeyring(): Keyring {
  cached ??= loadKeyring();
  return cached;
}

/** For tests and the rotation command: use this keyring from now on. */
export function setKeyring(keyring: Keyring | undefined): void {
  cached = keyring;
}
