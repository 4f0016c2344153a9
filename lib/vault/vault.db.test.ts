import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, exchangeCredentials } from '@/db/schema';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { DecryptError } from './cipher';
import type { ExchangeCredentials } from './credentials';
import { KeyringError, parseKeyring, setKeyring, type Keyring } from './keyring';
import { keyUsage, rotateAllCredentials, rotateBatch } from './rotate';
import { verifyKeyring } from './self-check';
import { findConnectionWithKey, loadCredentials, replaceCredentials } from './store';

withTestDatabase({ isolated: true });

const material = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const ringK1 = parseKeyring(`k1:${material.k1}`);
const ringK2K1 = parseKeyring(`k2:${material.k2},k1:${material.k1}`);
const ringK2 = parseKeyring(`k2:${material.k2}`);

function useRing(ring: Keyring) {
  setKeyring(ring);
}

beforeAll(() => useRing(ringK1));
afterAll(() => setKeyring(undefined));

const credentialsFor = (tag: string = randomUUID()): ExchangeCredentials => ({
  apiKey: `key-${tag}-${randomBytes(16).toString('hex')}`,
  secret: `secret-${randomBytes(24).toString('hex')}`,
  password: `pass-${tag}`,
});

const connect = (userId: string, credentials: ExchangeCredentials, exchangeId = 'binance', label = 'My Binance') =>
  createTestConnection({ userId, credentials, exchangeId, label });

async function storedRow(connectionId: string) {
  const [row] = await getDb()
    .select()
    .from(exchangeCredentials)
    .where(eq(exchangeCredentials.connectionId, connectionId));
  return row!;
}

describe('stored credentials', () => {
  it('round-trips, and the table holds no plaintext, only a 4-character hint', async () => {
    const userId = await createTestUser();
    const credentials = credentialsFor();
    const connectionId = await connect(userId, credentials);
    expect(await loadCredentials(userId, connectionId)).toEqual(credentials);

    const row = await storedRow(connectionId);
    const dump = JSON.stringify(row);
    for (const value of Object.values(credentials)) expect(dump).not.toContain(value);
    expect(row.ciphertext).toMatch(/^v1\.k1\./);
    expect(row.apiKeyHint).toBe(credentials.apiKey.slice(-4));
  });

  it('refuses a ciphertext copied into another row (at the database level)', async () => {
    const userId = await createTestUser();
    const a = await connect(userId, credentialsFor('a'));
    const b = await connect(userId, credentialsFor('b'), 'kraken', 'Kraken');
    const fromB = (await storedRow(b)).ciphertext;
    await getDb().update(exchangeCredentials).set({ ciphertext: fromB }).where(eq(exchangeCredentials.connectionId, a));
    await expect(loadCredentials(userId, a)).rejects.toBeInstanceOf(DecryptError);
    await getDb().delete(exchangeConnections).where(eq(exchangeConnections.id, a)); // keep later rotation tests clean
  });

  it('refuses a ciphertext copied to another user’s row, and never loads another user’s credentials', async () => {
    const alice = await createTestUser();
    const bob = await createTestUser();
    const aliceConnection = await connect(alice, credentialsFor('alice'));
    const bobConnection = await connect(bob, credentialsFor('bob'));
    expect(await loadCredentials(bob, aliceConnection)).toBeNull();

    await getDb()
      .update(exchangeCredentials)
      .set({ ciphertext: (await storedRow(aliceConnection)).ciphertext })
      .where(eq(exchangeCredentials.connectionId, bobConnection));
    await expect(loadCredentials(bob, bobConnection)).rejects.toBeInstanceOf(DecryptError);
    await getDb().delete(exchangeConnections).where(eq(exchangeConnections.id, bobConnection));
  });
});

describe('duplicate-key fingerprint', () => {
  it('finds the connection that already holds the key, per user and exchange', async () => {
    const userId = await createTestUser();
    const credentials = credentialsFor();
    await connect(userId, credentials, 'binance', 'Main account');

    expect(await findConnectionWithKey(userId, 'binance', ` ${credentials.apiKey} `)).toMatchObject({
      label: 'Main account',
    });
    expect(await findConnectionWithKey(userId, 'kraken', credentials.apiKey)).toBeNull();
    expect(await findConnectionWithKey(await createTestUser(), 'binance', credentials.apiKey)).toBeNull();
    expect(await findConnectionWithKey(userId, 'binance', `${credentials.apiKey}x`)).toBeNull();
  });

  it('the unique index refuses the same key twice for one user and exchange, and allows it elsewhere', async () => {
    const userId = await createTestUser();
    const credentials = credentialsFor();
    await connect(userId, credentials);
    // 23505: unique_violation, from the index on the key's hash (not any other failure of the insert).
    await expect(connect(userId, { ...credentials, secret: 'another secret' })).rejects.toMatchObject({
      cause: { code: '23505' },
    });
    // The failed transaction left nothing behind.
    const [count] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(exchangeConnections)
      .where(eq(exchangeConnections.userId, userId));
    expect(count?.n).toBe(1);
    await connect(userId, credentials, 'kucoin', 'KuCoin');
    await connect(await createTestUser(), credentials);
  });
});

describe('rotation', () => {
  it('re-encrypts every credential under the new key, keeps the plaintext, and is safe to run twice', async () => {
    useRing(ringK1);
    const userId = await createTestUser();
    const seeded = new Map<string, ExchangeCredentials>();
    for (let i = 0; i < 5; i++) {
      const credentials = credentialsFor(`rot-${i}`);
      seeded.set(await connect(userId, credentials, 'binance', `Account ${i}`), credentials);
    }

    useRing(ringK2K1);
    // During the transition a lookup finds rows still on the old key.
    const [firstId, firstCredentials] = [...seeded][0]!;
    expect(await findConnectionWithKey(userId, 'binance', firstCredentials.apiKey)).toMatchObject({
      connectionId: firstId,
    });

    const first = await rotateAllCredentials(2);
    expect(first.rotated).toBeGreaterThanOrEqual(5);
    expect(first.failedIds).toEqual([]);
    expect(first.batches).toBeGreaterThan(1);
    for (const [connectionId, credentials] of seeded) {
      const row = await storedRow(connectionId);
      expect(row.ciphertext).toMatch(/^v1\.k2\./);
      expect(row.keyId).toBe('k2');
      expect(await loadCredentials(userId, connectionId)).toEqual(credentials);
    }

    const second = await rotateAllCredentials(2);
    expect(second.rotated).toBe(0);
    expect(second.alreadyCurrent).toBe(second.scanned);

    // Fingerprints were recomputed: with only k2 left, the duplicate check still works.
    useRing(ringK2);
    expect(await findConnectionWithKey(userId, 'binance', firstCredentials.apiKey)).toMatchObject({
      connectionId: firstId,
    });
    expect((await keyUsage()).credentials.k1 ?? 0).toBe(0);
  });

  it('never overwrites a concurrent edit made between its read and its write', async () => {
    useRing(ringK1);
    const userId = await createTestUser();
    const connectionId = await connect(userId, credentialsFor('before'));
    const edited = credentialsFor('edited-by-user');

    useRing(ringK2K1);
    let batch: Awaited<ReturnType<typeof rotateBatch>> | undefined;
    let cursor: string | null = null;
    do {
      batch = await rotateBatch(cursor, 500, {
        afterRead: async (ids) => {
          if (ids.includes(connectionId)) expect(await replaceCredentials(userId, connectionId, edited)).toBe(true);
        },
      });
      if (batch.conflicts > 0) break;
      cursor = batch.nextCursor;
    } while (cursor);
    expect(batch?.conflicts).toBe(1);
    expect(await loadCredentials(userId, connectionId)).toEqual(edited);
    expect((await storedRow(connectionId)).keyId).toBe('k2');
  });

  it('reports rows whose key was retired instead of skipping them silently', async () => {
    useRing(ringK1);
    const userId = await createTestUser();
    const orphan = await connect(userId, credentialsFor('orphan'));
    useRing(ringK2);
    const totals = await rotateAllCredentials();
    expect(totals.failedIds).toContain(orphan);
    const usage = await keyUsage();
    expect(usage.missingKids).toContain('k1');
    await expect(loadCredentials(userId, orphan)).rejects.toMatchObject({ reason: 'unknown_key' });
    await getDb().delete(exchangeConnections).where(eq(exchangeConnections.id, orphan));
  });
});

describe('startup key check', () => {
  it('enrols a new key, verifies it next time, and stops on a different key under the same id', async () => {
    const kid = `chk${randomBytes(3).toString('hex')}`;
    useRing(parseKeyring(`${kid}:${randomBytes(32).toString('base64')}`));
    expect((await verifyKeyring()).enrolled).toEqual([kid]);
    expect((await verifyKeyring()).verified).toEqual([kid]);

    useRing(parseKeyring(`${kid}:${randomBytes(32).toString('base64')}`));
    await expect(verifyKeyring()).rejects.toThrow(KeyringError);
    await expect(verifyKeyring()).rejects.toThrow(`Encryption key "${kid}" is not the key that encrypted`);
  });
});
