// Keys that cannot be a key (letters outside ASCII, control characters, direction marks) are refused on
// their field before any request: before, ccxt failed to put them in a header and the user was told
// "The exchange could not be reached … We will try again shortly", although no request was made and
// nothing would be retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { withSimulator } from '@/lib/testing/simulator';
import { setKeyring } from '@/lib/vault/keyring';
import { binanceAccount, savedRowsOf } from '@/lib/testing/fixtures';
import { createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { connectExchange } from './connect';
import { INVALID_INPUT_MESSAGE } from './result';
import { testConnection } from './test-connection';

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

const NOT_A_KEY: Record<string, (key: string) => string> = {
  cyrillic: (key) => `${key.slice(0, -1)}К`,
  emoji: (key) => `${key}🔑`,
  'right-to-left mark': (key) => `\u200F${key}`,
  'left-to-right override': (key) => `${key.slice(0, 4)}\u202D${key.slice(4)}`,
  'control character': (key) => `${key.slice(0, 4)}\u0007${key.slice(4)}`,
  'NUL inside': (key) => `${key.slice(0, 4)}\u0000${key.slice(4)}`,
  'line break inside': (key) => `${key.slice(0, 4)}\n${key.slice(4)}`,
  'non-breaking space inside': (key) => `${key.slice(0, 4)}\u00A0${key.slice(4)}`,
};

describe('credential characters', () => {
  it.each(Object.keys(NOT_A_KEY))('refuses an API key with a %s on its field, without a request', async (kind) => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const apiKey = NOT_A_KEY[kind]!(account.apiKey);
    const before = sim.log().length;

    const tested = await testConnection(userId, {
      exchangeId: 'binance',
      credentials: { ...account.credentials, apiKey },
    });
    expect(tested).toEqual({
      ok: false,
      message: INVALID_INPUT_MESSAGE,
      fieldErrors: {
        'credentials.apiKey': expect.stringMatching(/^The API key can only hold the characters of a key/),
      },
    });
    const connected = await connectExchange(userId, {
      exchangeId: 'binance',
      credentials: { ...account.credentials, apiKey },
    });
    expect(connected).toMatchObject({ ok: false, fieldErrors: { 'credentials.apiKey': expect.any(String) } });
    expect(sim.log()).toHaveLength(before);
    expect(await savedRowsOf(userId)).toEqual({ connections: 0, credentials: 0, holdings: 0, runs: 0 });
  });

  it('refuses a secret with letters outside ASCII on the secret field, never echoing it', async () => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const secret = `${account.credentials.secret}é`;
    const tested = await testConnection(userId, {
      exchangeId: 'binance',
      credentials: { ...account.credentials, secret },
    });
    expect(tested).toMatchObject({ ok: false, fieldErrors: { 'credentials.secret': expect.any(String) } });
    expect(JSON.stringify(tested)).not.toContain(account.credentials.secret);
  });

  it.each([
    ['typographic double quotes', (key: string) => `“${key}”`],
    ['typographic single quotes', (key: string) => `‘${key}’`],
    ['straight quotes', (key: string) => `'${key}'`],
    ['quotes and whitespace', (key: string) => `  \t“${key}” \n`],
  ])('reads a key pasted inside %s as the key itself', async (_kind, wrap) => {
    const userId = await createTestUser();
    const account = binanceAccount(sim);
    const tested = await testConnection(userId, {
      exchangeId: 'binance',
      credentials: { apiKey: wrap(account.apiKey), secret: wrap(account.credentials.secret) },
    });
    expect(tested).toMatchObject({ ok: true, report: { assets: 3 } });
  });
});
