import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// The web server fixture has just run `next build`: no browser bundle may carry ccxt, the vault or
// the password hasher. These strings exist only in those libraries' code.
const serverOnlyMarkers = [
  'X-MBX-APIKEY', // ccxt's Binance signer
  'KC-API-SIGN', // ccxt's KuCoin signer
  'handleRestResponse', // ccxt's base Exchange
  'coinsphere/vault/aes-256-gcm', // the vault's key derivation label
  '@node-rs/argon2',
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

test('no client bundle contains ccxt, the vault or argon2', () => {
  const files = filesUnder(path.join(process.cwd(), '.next', 'static')).filter((file) => file.endsWith('.js'));
  expect(files.length).toBeGreaterThan(5);
  const offenders = files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return serverOnlyMarkers
      .filter((marker) => text.includes(marker))
      .map((marker) => `${path.basename(file)}: ${marker}`);
  });
  expect(offenders).toEqual([]);
});
