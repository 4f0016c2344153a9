import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { setDatabaseHandle } from '@/db';
import { migrateDatabase } from '@/db/migrate';
import { createTestDatabase } from '@/lib/testing/test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string | undefined;
    testServerUrl: string | undefined;
  }
}

/**
 * Points the app's data functions at this run's database for the current test file: the
 * PostgreSQL database created by the global setup when DATABASE_URL is set, otherwise a fresh
 * in-memory PGlite database (always private to the file) with the same migrations applied.
 * `postgres`: the file tests what only PostgreSQL does (concurrent connections); it fails without one.
 */
export function withTestDatabase(options: { isolated?: boolean; postgres?: boolean } = {}): {
  handle: () => DatabaseHandle;
  /** The PostgreSQL URL the file's database was opened with (undefined on PGlite): a second client can open it. */
  url: () => string | undefined;
} {
  let handle: DatabaseHandle | undefined;
  let openedUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    let url = inject('testDatabaseUrl');
    const serverUrl = inject('testServerUrl');
    if (options.postgres && !url) {
      throw new Error('This file tests PostgreSQL-only behaviour: run it with DATABASE_URL set (npm run test:pg).');
    }
    // A file whose tests walk whole tables (e.g. key rotation) gets a database of its own.
    if (options.isolated && serverUrl) {
      const own = await createTestDatabase(serverUrl, 'coinsphere_test');
      url = own.url;
      drop = own.drop;
    }
    openedUrl = url;
    handle = url ? openDatabase({ url }) : openDatabase({ pgliteDir: 'memory://' });
    if (!url) await migrateDatabase(handle);
    setDatabaseHandle(handle);
  }, 60_000);
  afterAll(async () => {
    setDatabaseHandle(undefined);
    await handle?.close();
    await drop?.();
  });
  return {
    handle: () => {
      if (!handle) throw new Error('withTestDatabase: database not open yet');
      return handle;
    },
    url: () => openedUrl,
  };
}
