import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { exchangeCredentials } from '@/db/schema';
import { DecryptError } from './cipher';
import { getKeyring } from './keyring';
import { credentialsPage, openCredentials, sealCredentials } from './store';

export interface RotationBatch {
  scanned: number;
  rotated: number;
  alreadyCurrent: number;
  /** Rows changed by someone else between read and write: left as they are (already on the current key). */
  conflicts: number;
  /** Connection ids that could not be decrypted (e.g. their key was retired). Ids only, never values. */
  failedIds: string[];
  /** Pass back to continue; null when the table has been walked to the end. */
  nextCursor: string | null;
}

export interface RotationTotals extends Omit<RotationBatch, 'nextCursor'> {
  batches: number;
}

export const DEFAULT_BATCH_SIZE = 200;

/**
 * Re-encrypts one page of credentials under the current key (keyset pagination by connection id).
 * Each write is a compare-and-swap on the old ciphertext, so a user's edit that lands between our
 * read and our write is never overwritten; running it again finds nothing to do.
 */
export async function rotateBatch(
  cursor: string | null,
  batchSize = DEFAULT_BATCH_SIZE,
  hooks: { afterRead?: (connectionIds: string[]) => Promise<void> } = {},
): Promise<RotationBatch> {
  const db = getDb();
  const keyring = getKeyring();
  const rows = await credentialsPage(cursor, batchSize, db);
  await hooks.afterRead?.(rows.map((row) => row.connectionId));

  const batch: RotationBatch = {
    scanned: rows.length,
    rotated: 0,
    alreadyCurrent: 0,
    conflicts: 0,
    failedIds: [],
    nextCursor: rows.length === batchSize ? (rows.at(-1)?.connectionId ?? null) : null,
  };
  for (const row of rows) {
    if (row.keyId === keyring.current.kid && row.ciphertext.startsWith(`v1.${keyring.current.kid}.`)) {
      batch.alreadyCurrent++;
      continue;
    }
    let sealed: ReturnType<typeof sealCredentials>;
    try {
      sealed = sealCredentials(row, openCredentials(row, row.ciphertext, keyring), keyring);
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
      batch.failedIds.push(row.connectionId);
      continue;
    }
    const updated = await db
      .update(exchangeCredentials)
      .set({ ...sealed, updatedAt: new Date() })
      .where(
        and(eq(exchangeCredentials.connectionId, row.connectionId), eq(exchangeCredentials.ciphertext, row.ciphertext)),
      )
      .returning({ connectionId: exchangeCredentials.connectionId });
    if (updated.length === 1) batch.rotated++;
    else batch.conflicts++;
  }
  return batch;
}

/** Walks every stored credential once. The CLI uses this; the Inngest function runs one batch per step. */
export async function rotateAllCredentials(batchSize = DEFAULT_BATCH_SIZE): Promise<RotationTotals> {
  const totals: RotationTotals = { batches: 0, scanned: 0, rotated: 0, alreadyCurrent: 0, conflicts: 0, failedIds: [] };
  let cursor: string | null = null;
  do {
    const batch: RotationBatch = await rotateBatch(cursor, batchSize);
    addBatch(totals, batch);
    cursor = batch.nextCursor;
  } while (cursor);
  return totals;
}

export function addBatch(totals: RotationTotals, batch: RotationBatch): RotationTotals {
  totals.batches++;
  totals.scanned += batch.scanned;
  totals.rotated += batch.rotated;
  totals.alreadyCurrent += batch.alreadyCurrent;
  totals.conflicts += batch.conflicts;
  totals.failedIds.push(...batch.failedIds);
  return totals;
}

export interface KeyUsage {
  currentKid: string;
  /** Stored credentials per key id. */
  credentials: Record<string, number>;
  /** Key ids that still encrypt data but are missing from the keyring: that data cannot be read. */
  missingKids: string[];
  /** Key ids in the keyring other than the current one with no data left: safe to retire. */
  retirableKids: string[];
}

/** How many values remain on each key, so a retired key is removed only once nothing needs it. */
export async function keyUsage(): Promise<KeyUsage> {
  const keyring = getKeyring();
  const rows = await getDb()
    .select({ keyId: exchangeCredentials.keyId, count: sql<number>`count(*)::int` })
    .from(exchangeCredentials)
    .groupBy(exchangeCredentials.keyId);
  const credentials = Object.fromEntries(rows.map((row) => [row.keyId, Number(row.count)]));
  return {
    currentKid: keyring.current.kid,
    credentials,
    missingKids: Object.keys(credentials).filter((kid) => !keyring.keys.has(kid)),
    retirableKids: [...keyring.keys.keys()].filter((kid) => kid !== keyring.current.kid && !credentials[kid]),
  };
}
