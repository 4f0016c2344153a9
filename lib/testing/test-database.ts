import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Creates a fresh, uniquely named PostgreSQL database next to the one `serverUrl` points at and
 * applies the migrations, so test runs never see each other's rows. Databases of this prefix
 * left behind by a killed run more than six hours ago are dropped on the way.
 */
export async function createTestDatabase(serverUrl: string, prefix: string) {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${prefix}\\_%`}`;
    for (const { datname } of stale) {
      const createdAt = Number(datname.slice(prefix.length + 1).split('_')[0]);
      if (Number.isFinite(createdAt) && Date.now() - createdAt > STALE_AFTER_MS) {
        await admin.unsafe(`drop database if exists "${datname}" with (force)`);
      }
    }
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const handle = openDatabase({ url });
  try {
    await migrateDatabase(handle);
  } finally {
    await handle.close();
  }
  return {
    name,
    url,
    async drop() {
      const sql = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** Creates (or opens) a PGlite database in `dir` and applies the migrations, then closes it. */
export async function migratePgliteFolder(dir: string): Promise<void> {
  const handle = openDatabase({ pgliteDir: dir });
  try {
    await migrateDatabase(handle);
  } finally {
    await handle.close();
  }
}
