// The one home of test data: users and connections inserted directly, the way the connect flow stores
// them (connection row + sealed credentials, in one transaction). Every test, bench and e2e helper
// that needs a user or a connection without going through the UI uses these.
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
  Omit<typeof exchangeConnections.$inferInsert, 'id' | 'userId' | 'portfolioId' | 'exchangeId' | 'label'>
>;

export interface TestConnectionInput {
  userId: string;
  exchangeId?: string;
  label?: string;
  /** What the vault seals; random when absent, none at all when null (a row without a key). */
  credentials?: ExchangeCredentials | null;
  /** Sync-state columns (status, next_sync_at, …). */
  values?: ConnectionValues;
}

/** Gives the vault a fresh random key for this test file. */
export function useTestKeyring(): void {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
}

const testEmail = (prefix: string) => `${prefix}-${randomUUID()}@example.com`;

export async function createTestUser(db: Database = getDb(), options: { emailPrefix?: string } = {}): Promise<string> {
  const [user] = await db
    .insert(users)
    .values({ email: testEmail(options.emailPrefix ?? 'test'), passwordHash: 'x' })
    .returning({ id: users.id });
  return user!.id;
}

/** `count` users in one statement (benches). */
export async function createTestUsers(
  db: Database,
  count: number,
  options: { emailPrefix?: string } = {},
): Promise<string[]> {
  if (count === 0) return [];
  const rows = await db
    .insert(users)
    .values(
      Array.from({ length: count }, () => ({ email: testEmail(options.emailPrefix ?? 'test'), passwordHash: 'x' })),
    )
    .returning({ id: users.id });
  return rows.map((row) => row.id);
}

export function testCredentials(): ExchangeCredentials {
  return {
    apiKey: `test-key-${randomBytes(16).toString('hex')}`,
    secret: `test-secret-${randomBytes(24).toString('hex')}`,
  };
}

async function insertConnection(tx: Database, portfolioId: string, input: TestConnectionInput, id: string) {
  const exchangeId = input.exchangeId ?? 'binance';
  await tx.insert(exchangeConnections).values({
    id,
    userId: input.userId,
    portfolioId,
    exchangeId,
    label: input.label ?? `Test ${exchangeId} ${id.slice(0, 8)}`,
    ...input.values,
  });
}

/** A connection in the user's default portfolio, with sealed credentials unless `credentials` is null. */
export async function createTestConnection(input: TestConnectionInput, db: Database = getDb()): Promise<string> {
  const connectionId = randomUUID();
  const exchangeId = input.exchangeId ?? 'binance';
  await db.transaction(async (tx) => {
    const portfolioId = await ensureDefaultPortfolio(tx, input.userId);
    await insertConnection(tx, portfolioId, input, connectionId);
    if (input.credentials !== null) {
      await insertCredentials(
        tx,
        { connectionId, userId: input.userId, exchangeId },
        input.credentials ?? testCredentials(),
      );
    }
  });
  return connectionId;
}

/**
 * Many connections at once (benches): one insert for the rows, then each one's credentials (sealing
 * is per row). Answers the ids in the order of `inputs`.
 */
export async function createTestConnections(db: Database, inputs: TestConnectionInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  const portfolioOf = new Map<string, string>();
  for (const userId of new Set(inputs.map((input) => input.userId))) {
    portfolioOf.set(userId, await ensureDefaultPortfolio(db, userId));
  }
  const ids = inputs.map(() => randomUUID());
  await db.insert(exchangeConnections).values(
    inputs.map((input, i) => {
      const exchangeId = input.exchangeId ?? 'binance';
      return {
        id: ids[i]!,
        userId: input.userId,
        portfolioId: portfolioOf.get(input.userId)!,
        exchangeId,
        label: input.label ?? `Test ${exchangeId} ${ids[i]!.slice(0, 8)}`,
        ...input.values,
      };
    }),
  );
  for (const [i, input] of inputs.entries()) {
    if (input.credentials === null) continue;
    const owner = { connectionId: ids[i]!, userId: input.userId, exchangeId: input.exchangeId ?? 'binance' };
    await insertCredentials(db, owner, input.credentials ?? testCredentials());
  }
  return ids;
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
