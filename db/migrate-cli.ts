// `npm run db:migrate` (and the first step of `npm run dev` / `npm start`).
import { configuredTarget, openDatabase } from './client';
import { migrateDatabase } from './migrate';

const target = configuredTarget();
const handle = openDatabase(target);
try {
  await migrateDatabase(handle);
  console.info(`Database is up to date (${target.url ? 'PostgreSQL' : `PGlite at ${target.pgliteDir}`}).`);
} catch (error) {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
