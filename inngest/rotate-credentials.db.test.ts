import { randomBytes } from 'node:crypto';
import { InngestTestEngine } from '@inngest/test';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeCredentials } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, testCredentials } from '@/lib/testing/factories';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { rotateCredentials } from './functions/rotate-credentials';

withTestDatabase({ isolated: true });
afterAll(() => setKeyring(undefined));

const material = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };

const storedRow = async (connectionId: string) =>
  (await getDb().select().from(exchangeCredentials).where(eq(exchangeCredentials.connectionId, connectionId)))[0]!;

describe('rotate-credentials', () => {
  it('runs as a durable Inngest function whose step outputs hold counts and ids only', async () => {
    setKeyring(parseKeyring(`k1:${material.k1}`));
    const userId = await createTestUser();
    const credentials = { ...testCredentials(), password: `pass-${randomBytes(6).toString('hex')}` };
    const connectionId = await createTestConnection({ userId, credentials });
    const oldCiphertext = (await storedRow(connectionId)).ciphertext;
    setKeyring(parseKeyring(`k2:${material.k2},k1:${material.k1}`));

    const engine = new InngestTestEngine({ function: rotateCredentials });
    const { result, error, state } = await engine.execute({
      events: [{ name: 'vault/credentials.rotation.requested', data: {} }],
    });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ rotated: 1, failedIds: [] });
    expect((await storedRow(connectionId)).keyId).toBe('k2');

    const persisted = JSON.stringify({ result, state });
    for (const value of Object.values(credentials)) expect(persisted).not.toContain(value);
    expect(persisted).not.toContain(oldCiphertext.slice(0, 20));
    expect(persisted).not.toMatch(/v1\.k[12]\./);
  });
});
