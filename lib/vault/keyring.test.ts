import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '@/lib/log';
import { KeyringError, loadKeyring, parseKeyring } from './keyring';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');

function keyringError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    return (error as Error).message;
  }
  throw new Error('expected a KeyringError');
}

describe('parseKeyring', () => {
  it('parses several keys; the first one is current', () => {
    const ring = parseKeyring(`k2026b:${b64(32)}, k2026a:${b64(32)}`);
    expect(ring.current.kid).toBe('k2026b');
    expect([...ring.keys.keys()]).toEqual(['k2026b', 'k2026a']);
  });

  it('derives different subkeys per purpose and per key', () => {
    const ring = parseKeyring(`a:${b64(32)},b:${b64(32)}`);
    const a = ring.keys.get('a')!;
    const b = ring.keys.get('b')!;
    expect(a.encryptionKey.length).toBe(32);
    expect(a.encryptionKey.equals(a.fingerprintKey)).toBe(false);
    expect(a.encryptionKey.equals(b.encryptionKey)).toBe(false);
  });

  it.each([16, 31, 33, 64])('refuses a %i-byte key, naming it but not its value', (bytes) => {
    const value = b64(bytes);
    const message = keyringError(() => parseKeyring(`k1:${value}`));
    expect(message).toBe(
      `ENCRYPTION_KEYS: key "k1" is ${bytes} bytes; it must be exactly 32 (\`openssl rand -base64 32\`).`,
    );
    expect(message).not.toContain(value);
  });

  it('refuses a passphrase instead of a base64 key', () => {
    expect(keyringError(() => parseKeyring('k1:correct-horse-battery-staple-xx'))).toMatch(/key "k1" is not base64/);
  });

  it('refuses a duplicate key id, an empty list and malformed entries', () => {
    expect(keyringError(() => parseKeyring(`k1:${b64(32)},k1:${b64(32)}`))).toBe(
      'ENCRYPTION_KEYS: key id "k1" appears twice.',
    );
    expect(keyringError(() => parseKeyring(' , '))).toMatch(/is empty/);
    expect(keyringError(() => parseKeyring(b64(32)))).toMatch(/kid:base64key/);
    expect(keyringError(() => parseKeyring(`bad.kid:${b64(32)}`))).toMatch(/kid:base64key/);
  });
});

describe('loadKeyring', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coinsphere-keyring-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => vi.unstubAllEnvs());

  it('reads ENCRYPTION_KEYS_FILE, one key per line', () => {
    const file = path.join(tempDir(), 'keys');
    writeFileSync(file, `# current first\nk2:${b64(32)}\nk1:${b64(32)}\n`);
    expect(loadKeyring({ ENCRYPTION_KEYS_FILE: file }).current.kid).toBe('k2');
    expect(keyringError(() => loadKeyring({ ENCRYPTION_KEYS_FILE: path.join(tempDir(), 'missing') }))).toMatch(
      /cannot read/,
    );
  });

  it('refuses to start in production without keys', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(keyringError(() => loadKeyring({}))).toMatch(/ENCRYPTION_KEYS \(or ENCRYPTION_KEYS_FILE\) is required/);
  });

  it('in development, generates a keyring once into the data folder with mode 0600', () => {
    vi.stubEnv('NODE_ENV', 'development');
    vi.stubEnv('COINSPHERE_DATA_DIR', tempDir());
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const first = loadKeyring({});
    const second = loadKeyring({});
    const file = path.join(process.env.COINSPHERE_DATA_DIR!, 'encryption-keys');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^dev1:[A-Za-z0-9+/]{43}=\n$/);
    expect(second.current.encryptionKey.equals(first.current.encryptionKey)).toBe(true);
    expect(info).toHaveBeenCalledTimes(1);
    info.mockRestore();
  });
});
