import 'server-only';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, exchangeCredentials } from '@/db/schema';
import { decrypt, encrypt, type CiphertextContext } from './cipher';
import { exchangeCredentialsSchema, keyHint, type ExchangeCredentials } from './credentials';
import { fingerprintCandidates, fingerprintWith } from './fingerprint';
import { getKeyring, type Keyring } from './keyring';

export const CREDENTIALS_TABLE = 'exchange_credentials';

export interface CredentialOwner {
  connectionId: string;
  userId: string;
  exchangeId: string;
}

export function credentialsContext(owner: Pick<CredentialOwner, 'connectionId' | 'userId'>): CiphertextContext {
  return { table: CREDENTIALS_TABLE, userId: owner.userId, rowId: owner.connectionId, field: 'credentials' };
}

/** The columns to store for a credential set, all under the keyring's current key. */
export function sealCredentials(owner: CredentialOwner, credentials: ExchangeCredentials, keyring = getKeyring()) {
  const parsed = exchangeCredentialsSchema.parse(credentials);
  return {
    ciphertext: encrypt(keyring, JSON.stringify(parsed), credentialsContext(owner)),
    keyId: keyring.current.kid,
    fingerprint: fingerprintWith(keyring.current, owner.exchangeId, parsed.apiKey),
    apiKeyHint: keyHint(parsed.apiKey),
  };
}

export function openCredentials(
  owner: Pick<CredentialOwner, 'connectionId' | 'userId'>,
  ciphertext: string,
  keyring: Keyring = getKeyring(),
): ExchangeCredentials {
  return exchangeCredentialsSchema.parse(JSON.parse(decrypt(keyring, ciphertext, credentialsContext(owner))));
}

/** Stores a new connection's credentials; call inside the transaction that creates the connection. */
export async function insertCredentials(db: Database, owner: CredentialOwner, credentials: ExchangeCredentials) {
  const sealed = sealCredentials(owner, credentials);
  await db.insert(exchangeCredentials).values({ ...owner, ...sealed, updatedAt: new Date() });
  return { apiKeyHint: sealed.apiKeyHint };
}

/** The user's connection that already holds this api key on this exchange, if any. */
export async function findConnectionWithKey(
  userId: string,
  exchangeId: string,
  apiKey: string,
  db: Database = getDb(),
): Promise<{ connectionId: string; label: string } | null> {
  const [row] = await db
    .select({ connectionId: exchangeConnections.id, label: exchangeConnections.label })
    .from(exchangeCredentials)
    .innerJoin(exchangeConnections, eq(exchangeConnections.id, exchangeCredentials.connectionId))
    .where(
      and(
        eq(exchangeCredentials.userId, userId),
        eq(exchangeCredentials.exchangeId, exchangeId),
        inArray(exchangeCredentials.fingerprint, fingerprintCandidates(getKeyring(), exchangeId, apiKey)),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Decrypted credentials of one of the user's connections, or null when it is not theirs. Server-side only. */
export async function loadCredentials(userId: string, connectionId: string): Promise<ExchangeCredentials | null> {
  const [row] = await getDb()
    .select({ ciphertext: exchangeCredentials.ciphertext })
    .from(exchangeCredentials)
    .where(and(eq(exchangeCredentials.connectionId, connectionId), eq(exchangeCredentials.userId, userId)));
  return row ? openCredentials({ connectionId, userId }, row.ciphertext) : null;
}

/** Replaces a connection's credentials (the user pasted a new key). Returns false when it is not theirs. */
export async function replaceCredentials(
  userId: string,
  connectionId: string,
  credentials: ExchangeCredentials,
  db: Database = getDb(),
): Promise<boolean> {
  const [row] = await db
    .select({ exchangeId: exchangeCredentials.exchangeId })
    .from(exchangeCredentials)
    .where(and(eq(exchangeCredentials.connectionId, connectionId), eq(exchangeCredentials.userId, userId)));
  if (!row) return false;
  const sealed = sealCredentials({ connectionId, userId, exchangeId: row.exchangeId }, credentials);
  const updated = await db
    .update(exchangeCredentials)
    .set({ ...sealed, updatedAt: new Date() })
    .where(and(eq(exchangeCredentials.connectionId, connectionId), eq(exchangeCredentials.userId, userId)))
    .returning({ connectionId: exchangeCredentials.connectionId });
  return updated.length === 1;
}

/** One page of stored credential rows after `cursor` (keyset pagination by connection id), for whole-table walks. */
export function credentialsPage(cursor: string | null, limit: number, db: Database = getDb()) {
  return db
    .select({
      connectionId: exchangeCredentials.connectionId,
      userId: exchangeCredentials.userId,
      exchangeId: exchangeCredentials.exchangeId,
      ciphertext: exchangeCredentials.ciphertext,
      keyId: exchangeCredentials.keyId,
    })
    .from(exchangeCredentials)
    .where(cursor ? gt(exchangeCredentials.connectionId, cursor) : undefined)
    .orderBy(asc(exchangeCredentials.connectionId))
    .limit(limit);
}
