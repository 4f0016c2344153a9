import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const resolve = {
  alias: {
    '@': root,
    'server-only': path.join(root, 'lib/testing/empty.ts'),
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['{lib,db,inngest,app}/**/*.test.ts'],
          exclude: ['**/*.db.test.ts', '**/*.pg.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['{lib,db,inngest,app}/**/*.db.test.ts'],
          environment: 'node',
          globalSetup: ['lib/testing/global-setup.ts'],
          // next-auth imports `next/server` without an extension, which Node cannot resolve (Next has no
          // exports map); through Vite it resolves, and its `next/headers` can be replaced by a test's
          // request (lib/testing/session.ts).
          server: { deps: { inline: ['next-auth'] } },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        test: {
          // PostgreSQL-only behaviour (concurrent connections): `npm run test:pg`, with DATABASE_URL.
          name: 'postgres',
          include: ['{lib,db,inngest,app}/**/*.pg.test.ts'],
          environment: 'node',
          globalSetup: ['lib/testing/postgres-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
