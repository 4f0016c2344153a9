// Test support for the sync core's integration tests: users and connections inserted directly, the way
// the connect flow stores them (connection row + sealed credentials, in one transaction).
import { randomBytes, randomUUID } from 'node:crypto';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Sql } from 'postgres';
import { getDb, schema, type Database } from '@/db';
import type { DatabaseHandle } from '@/db/client';
import { exchangeConnections, users } from '@/db/schema';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import type { ExchangeCredentials } from '@/lib/vault/credentials';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { insertCredentials } from '@/lib/vault/store';

export type ConnectionValues = Partial<
  Omit<typeof exchangeConnections.$inferInsert, 'id' | 'userId' | 'portfolioId' | 'exchangeId'>
>;

/** Gives the vault a fresh random key for this test file. */
export function useTestKeyring(): void {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
}

export async function createTestUser(db: Database = getDb()): Promise<string> {
  const [user] = await db
    .insert(users)
    .values({ email: `sync-${randomUUID()}@example.com`, passwordHash: 'x' })
    .returning({ id: users.id });
  return user!.id;
}

export function testCredentials(): ExchangeCredentials {
  return {
    apiKey: `sync-key-${randomBytes(16).toString('hex')}`,
    secret: `sync-secret-${randomBytes(24).toString('hex')}`,
  };
}

/** A connection with sealed credentials; `values` overrides sync-state columns (status, next_sync_at, …). */
export async function createTestConnection(
  input: { userId: string; exchangeId?: string; credentials?: ExchangeCredentials; values?: ConnectionValues },
  db: Database = getDb(),
): Promise<string> {
  const connectionId = randomUUID();
  const exchangeId = input.exchangeId ?? 'binance';
  await db.transaction(async (tx) => {
    const portfolioId = await ensureDefaultPortfolio(tx, input.userId);
    await tx.insert(exchangeConnections).values({
      id: connectionId,
      userId: input.userId,
      portfolioId,
      exchangeId,
      label: `Test ${exchangeId} ${connectionId.slice(0, 8)}`,
      ...input.values,
    });
    await insertCredentials(
      tx,
      { connectionId, userId: input.userId, exchangeId },
      input.credentials ?? testCredentials(),
    );
  });
  return connectionId;
}

/** A second drizzle instance on the same client that records every statement it sends (not BEGIN/COMMIT). */
export function recordingDatabase(handle: DatabaseHandle): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const logger = { logQuery: (query: string) => void statements.push(query) };
  const db =
    handle.kind === 'pglite'
      ? drizzlePglite(handle.client, { schema, logger })
      : drizzlePostgres((handle.db as unknown as { $client: Sql }).$client, { schema, logger });
  return { db: db as unknown as Database, statements };
}
