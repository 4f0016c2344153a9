import type { TestProject } from 'vitest/node';
import { createTestDatabase } from '@/lib/testing/test-database';

/** One fresh PostgreSQL database per run when DATABASE_URL is set; dropped when the run ends. */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    project.provide('testDatabaseUrl', undefined);
    project.provide('testServerUrl', undefined);
    console.info('[tests] DATABASE_URL is unset: integration tests use in-memory PGlite.');
    return;
  }
  const db = await createTestDatabase(serverUrl, 'coinsphere_test');
  project.provide('testDatabaseUrl', db.url);
  project.provide('testServerUrl', serverUrl);
  console.info(`[tests] integration tests use PostgreSQL database ${db.name}.`);
  return () => db.drop();
}
