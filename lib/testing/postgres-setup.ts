import type { TestProject } from 'vitest/node';
import setup from './global-setup';

/**
 * The `postgres` project tests what only a PostgreSQL server does (row locks between concurrent
 * connections). Without DATABASE_URL it fails instead of skipping: a green run must have run them.
 */
export default async function postgresSetup(project: TestProject) {
  if (!process.env.DATABASE_URL?.trim()) {
    throw new Error(
      'The postgres test project needs a PostgreSQL server: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run test:pg',
    );
  }
  return setup(project);
}
