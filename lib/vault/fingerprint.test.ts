import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintCandidates, fingerprintWith } from './fingerprint';
import { parseKeyring } from './keyring';

const ring = parseKeyring(`k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`);
const apiKey = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';

describe('credential fingerprints', () => {
  it('is the same for the same key and exchange, ignoring surrounding spaces', () => {
    expect(fingerprintWith(ring.current, 'binance', apiKey)).toBe(
      fingerprintWith(ring.current, 'binance', ` ${apiKey}\n`),
    );
  });

  it('differs per exchange, per key, per letter case and per master key', () => {
    const base = fingerprintWith(ring.current, 'binance', apiKey);
    expect(fingerprintWith(ring.current, 'kraken', apiKey)).not.toBe(base);
    expect(fingerprintWith(ring.current, 'binance', `${apiKey.slice(0, -1)}B`)).not.toBe(base);
    expect(fingerprintWith(ring.current, 'binance', apiKey.toLowerCase())).not.toBe(base);
    expect(fingerprintWith(ring.keys.get('k1')!, 'binance', apiKey)).not.toBe(base);
  });

  it('is a full-length HMAC that does not contain the key', () => {
    const fingerprint = fingerprintWith(ring.current, 'binance', apiKey);
    expect(Buffer.from(fingerprint, 'base64url').length).toBe(32);
    expect(fingerprint).not.toContain(apiKey.slice(0, 8));
  });

  it('gives one candidate per key in the ring, so rows not yet rotated are found', () => {
    const candidates = fingerprintCandidates(ring, 'binance', apiKey);
    expect(candidates).toEqual([
      fingerprintWith(ring.keys.get('k2')!, 'binance', apiKey),
      fingerprintWith(ring.keys.get('k1')!, 'binance', apiKey),
    ]);
  });
});
