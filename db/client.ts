import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseHandle =
  | { kind: 'postgres'; db: Database; close: () => Promise<void> }
  | { kind: 'pglite'; db: Database; client: PGlite; close: () => Promise<void> };

export interface DatabaseTarget {
  /** A postgres:// URL. When absent, an embedded PGlite database is used. */
  url?: string;
  /** Where PGlite keeps its files; `memory://` for a throw-away database. */
  pgliteDir?: string;
}

export function dataDir(): string {
  // Decided at run time; the ignore comment keeps Next's file tracing from copying the whole project.
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), process.env.COINSPHERE_DATA_DIR ?? '.data');
}

/** The target the running app uses: DATABASE_URL when set, else PGlite under the data folder. */
export function configuredTarget(): DatabaseTarget {
  const url = process.env.DATABASE_URL?.trim();
  if (url) return { url };
  return { pgliteDir: process.env.PGLITE_DIR ?? path.join(dataDir(), 'pglite') };
}

export function openDatabase(target: DatabaseTarget = configuredTarget()): DatabaseHandle {
  if (target.url) {
    // DATABASE_POOL_SIZE=1 when the server is PGlite behind pglite-socket (the browser tests): all its
    // clients share one session, so a second connection's Parse would replace the unnamed statement
    // this one is between Describe and Bind on.
    const max = Number(process.env.DATABASE_POOL_SIZE ?? 10);
    const sql = postgres(target.url, { max, onnotice: () => {} });
    const db = drizzlePostgres(sql, { schema }) as unknown as Database;
    return { kind: 'postgres', db, close: () => sql.end({ timeout: 5 }) };
  }
  const dir = target.pgliteDir ?? path.join(dataDir(), 'pglite');
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { kind: 'pglite', db, client, close: () => client.close() };
}
