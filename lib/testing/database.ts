import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { setDatabaseHandle } from '@/db';
import { migrateDatabase } from '@/db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string | undefined;
  }
}

/**
 * Points the app's data functions at this run's database for the current test file: the
 * PostgreSQL database created by the global setup when DATABASE_URL is set, otherwise a fresh
 * in-memory PGlite database with the same migrations applied.
 */
export function withTestDatabase(): { handle: () => DatabaseHandle } {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    const url = inject('testDatabaseUrl');
    handle = url ? openDatabase({ url }) : openDatabase({ pgliteDir: 'memory://' });
    if (!url) await migrateDatabase(handle);
    setDatabaseHandle(handle);
  }, 60_000);
  afterAll(async () => {
    setDatabaseHandle(undefined);
    await handle?.close();
  });
  return {
    handle: () => {
      if (!handle) throw new Error('withTestDatabase: database not open yet');
      return handle;
    },
  };
}
