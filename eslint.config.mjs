import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import { defineConfig, globalIgnores } from 'eslint/config';

// The one direction imports may point: app → lib → db; inngest (durable functions) → lib; e2e, benches
// and tests → lib/testing (test support: factories, the fake Inngest, the exchange simulator). The
// Inngest client, event contract and sending live in lib/jobs so lib never needs inngest/.
// Test files end in .test.ts; everything else under these folders is production code.
const PRODUCTION = (folder) => `./${folder}/**/!(*.test).{ts,tsx}`;
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
// One rule, every zone: ESLint replaces (not merges) a rule's options across config blocks.
const importDirections = {
  files: ['**/*.{ts,tsx,mjs}'],
  rules: {
    'import/no-restricted-paths': [
      'error',
      {
        basePath: import.meta.dirname,
        zones: [
          zone(
            './db',
            ['./lib', './app', './inngest', './e2e', './bench'],
            'db/ is the bottom layer: it imports nothing of the app.',
          ),
          // lib/ never reaches up into pages, durable functions, browser tests or benches (its tests neither).
          zone(
            './lib',
            ['./app', './inngest', './e2e', './bench'],
            'lib/ must not import app/, inngest/, e2e/ or bench/.',
          ),
          // Production code never imports test support.
          zone(
            ['./lib/*.ts', './lib/!(testing)/**/!(*.test).ts', ...['app', 'inngest', 'db'].map(PRODUCTION)],
            './lib/testing',
            'Test support is for tests, benches and e2e only.',
          ),
          // Pages and actions reach the database and the durable functions only through lib/ (the
          // /api/inngest route is the one page that serves the functions).
          zone('./app', ['./db', './e2e', './bench'], 'app/ reaches the database only through lib/.'),
          zone(
            ['./app/*.{ts,tsx}', './app/!(api)/**', './app/api/!(inngest)/**'],
            './inngest',
            'Only app/api/inngest/route.ts serves inngest/.',
          ),
          // Durable functions call lib/; their tests may inspect the database and drive the real route.
          zone('./inngest', ['./e2e', './bench'], 'inngest/ calls lib/ only.'),
          zone(PRODUCTION('inngest'), ['./app', './db'], 'inngest/ calls lib/ only.'),
          // Browser tests drive the app over HTTP and use test support only.
          zone('./e2e', ['./app', './inngest', './db', './bench'], 'e2e/ uses lib/testing only.'),
          zone('./e2e', './lib', 'e2e/ uses lib/testing only.', ['./testing']),
        ],
      },
    ],
  },
};

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    '.data/**',
    'node_modules/**',
    'next-env.d.ts',
    'db/migrations/**',
    'test-results/**',
    'playwright-report/**',
  ]),
  importDirections,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error', 'info'] }],
    },
  },
]);
