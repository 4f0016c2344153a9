import { openDatabase, type Database, type DatabaseHandle } from './client';

export type { Database } from './client';
export * as schema from './schema';

// One handle per process. Kept on globalThis so Next's hot reload does not open PGlite's folder twice
// (only one PGlite instance may own it).
const globalForDb = globalThis as unknown as { coinsphereDb?: DatabaseHandle };

/** The app's database, opened on first use so that importing this module (e.g. during `next build`) costs nothing. */
export function getDb(): Database {
  globalForDb.coinsphereDb ??= openDatabase();
  return globalForDb.coinsphereDb.db;
}

/** Lets tests point the app's data functions at their own database. */
export function setDatabaseHandle(handle: DatabaseHandle | undefined): void {
  globalForDb.coinsphereDb = handle;
}

/** Closes the process's database handle (command-line tools call this before exiting). */
export async function closeDb(): Promise<void> {
  const handle = globalForDb.coinsphereDb;
  globalForDb.coinsphereDb = undefined;
  await handle?.close();
}
