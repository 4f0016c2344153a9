import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeCredentials } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { parseKeyring, setKeyring } from './keyring';
import { verifyAllCredentials } from './verify-all';

// Walks the whole credentials table: a database of its own.
withTestDatabase({ isolated: true });

const material = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const both = parseKeyring(`k2:${material.k2},k1:${material.k1}`);
beforeAll(() => setKeyring(both));
afterAll(() => setKeyring(undefined));

const stored = async (connectionId: string) =>
  (await getDb().select().from(exchangeCredentials).where(eq(exchangeCredentials.connectionId, connectionId)))[0]!;
const overwrite = (connectionId: string, values: Partial<typeof exchangeCredentials.$inferInsert>) =>
  getDb().update(exchangeCredentials).set(values).where(eq(exchangeCredentials.connectionId, connectionId));

/** Flips one bit in the sealed part of `v1.<kid>.<base64url>`. */
function flipped(ciphertext: string): string {
  const [version, kid, encoded] = ciphertext.split('.') as [string, string, string];
  const blob = Buffer.from(encoded, 'base64url');
  blob[20] = blob[20]! ^ 1;
  return `${version}.${kid}.${blob.toString('base64url')}`;
}

describe('verifyAllCredentials (npm run vault:check)', () => {
  it('decrypts every value in batches and lists each connection whose value cannot be used, with why', async () => {
    const userId = await createTestUser();
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await createTestConnection({ userId }));
    const [intact, copied, truncated, bitFlipped, kidSwapped, mislabelled, unknownKey] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const original = await stored(intact);

    await overwrite(copied, { ciphertext: original.ciphertext });
    await overwrite(truncated, { ciphertext: (await stored(truncated)).ciphertext.slice(0, 30) });
    await overwrite(bitFlipped, { ciphertext: flipped((await stored(bitFlipped)).ciphertext) });
    // The key id is bound into the additional data: naming the other key in the value does not decrypt.
    await overwrite(kidSwapped, { ciphertext: (await stored(kidSwapped)).ciphertext.replace(/^v1\.k2\./, 'v1.k1.') });
    // A value that still decrypts but whose row names another key: rotation would retire the key it needs.
    await overwrite(mislabelled, { keyId: 'k1' });
    await overwrite(unknownKey, { ciphertext: (await stored(unknownKey)).ciphertext.replace(/^v1\.k2\./, 'v1.k9.') });

    const check = await verifyAllCredentials({ batchSize: 2 });
    expect(check.checked).toBe(7);
    const byId = Object.fromEntries(check.unreadable.map((entry) => [entry.connectionId, entry.reason]));
    expect(byId).toEqual({
      [copied]: 'authentication_failed',
      [truncated]: 'malformed',
      [bitFlipped]: 'authentication_failed',
      [kidSwapped]: 'authentication_failed',
      [mislabelled]: 'key_id_mismatch',
      [unknownKey]: 'unknown_key',
    });
    expect(check.unreadable.every((entry) => entry.userId === userId)).toBe(true);
    // Ids and reasons only: no value of any row is in what it reports.
    expect(JSON.stringify(check)).not.toContain(original.ciphertext.slice(8, 40));
  });

  it('reports a clean table as clean, across a batch boundary', async () => {
    await getDb().delete(exchangeCredentials);
    const userId = await createTestUser();
    for (let i = 0; i < 4; i++) await createTestConnection({ userId });
    expect(await verifyAllCredentials({ batchSize: 2 })).toEqual({ checked: 4, unreadable: [] });
  });
});
