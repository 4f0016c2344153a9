import 'server-only';
import { sql } from 'drizzle-orm';
import { ZodError } from 'zod';
import type { Database } from '@/db';
import { exchangeConnections, exchangeCredentials, type ConnectionStatus } from '@/db/schema';
import { rowsOf } from '@/lib/sync/sql-rows';
import { DecryptError } from '@/lib/vault/cipher';
import type { ExchangeCredentials } from '@/lib/vault/credentials';
import { openCredentials } from '@/lib/vault/store';
import { logger } from '@/lib/log';
import { HISTORY_CREDENTIALS_UNREADABLE, HISTORY_DISABLED, HISTORY_DISCONNECTED, HISTORY_NO_KEYS } from './messages';

/** A connection whose history can be read now: its exchange and its opened credentials. */
export interface ImportConnection {
  connectionId: string;
  userId: string;
  exchangeId: string;
  sandbox: boolean;
  credentials: ExchangeCredentials;
}

/** Why a connection's history cannot be read: `gone` (not the user's, or deleted) or a stop with its message. */
export type ConnectionRefusal =
  | { ok: false; reason: 'gone' }
  | { ok: false; reason: 'disconnected' | 'disabled' | 'credentials_unreadable' | 'no_keys'; message: string };

/** Stored ciphertext that no retry can read: its key left the keyring, it was altered, or it holds no credential set. */
function isUnreadableCredentials(error: unknown): boolean {
  return error instanceof DecryptError || error instanceof ZodError || error instanceof SyntaxError;
}

/**
 * Loads one connection of one user (by id AND user id) with its sealed credentials in one statement
 * and opens them, the way the balance sync does: keys that no longer decrypt get the same plain
 * "stored keys can no longer be read" answer and are logged for the operator (reason only). The
 * credentials live as long as the caller's page.
 */
export async function loadImportConnection(
  db: Database,
  connectionId: string,
  userId: string,
): Promise<{ ok: true; connection: ImportConnection } | ConnectionRefusal> {
  const [row] = rowsOf<{
    exchange_id: string;
    sandbox: boolean;
    status: ConnectionStatus;
    disconnected_at: unknown;
    ciphertext: string | null;
  }>(
    await db.execute(sql`
      select c.exchange_id, c.sandbox, c.status, c.disconnected_at, cr.ciphertext
      from ${exchangeConnections} c
      left join ${exchangeCredentials} cr on cr.connection_id = c.id and cr.user_id = c.user_id
      where c.id = ${connectionId}::uuid and c.user_id = ${userId}::uuid`),
  );
  if (!row) return { ok: false, reason: 'gone' };
  if (row.disconnected_at !== null) return { ok: false, reason: 'disconnected', message: HISTORY_DISCONNECTED };
  if (row.status === 'disabled') return { ok: false, reason: 'disabled', message: HISTORY_DISABLED };
  if (!row.ciphertext) return { ok: false, reason: 'no_keys', message: HISTORY_NO_KEYS };
  let credentials: ExchangeCredentials;
  try {
    credentials = openCredentials({ connectionId, userId }, row.ciphertext);
  } catch (error) {
    if (!isUnreadableCredentials(error)) throw error;
    const reason = error instanceof DecryptError ? error.reason : 'not a credential set';
    logger.error({ connectionId, reason }, 'stored credentials cannot be read (history import)');
    return { ok: false, reason: 'credentials_unreadable', message: HISTORY_CREDENTIALS_UNREADABLE };
  }
  return {
    ok: true,
    connection: { connectionId, userId, exchangeId: row.exchange_id, sandbox: row.sandbox === true, credentials },
  };
}
