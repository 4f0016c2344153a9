// What the e2e web server started, for the test workers (other processes): written once it is up.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface E2eState {
  /** The suite's database: a fresh PostgreSQL database, or the PGlite folder served by e2e/server.ts. */
  databaseUrl: string;
  simulatorUrl: string;
  executorUrl: string;
  /** Everything the app server (`next build`, then `next start`) wrote to stdout and stderr, as it is written. */
  serverLogPath: string;
  /**
   * ENCRYPTION_KEYS for `npm run vault:rotate` against the suite's database: the app's second key first, so a
   * rotation moves every value to a key the running app also holds (test keys of a throw-away database).
   */
  rotationKeys: string;
}

/** Fixed ports beside the app's, so the web server and the workers agree without talking. */
export function e2ePorts() {
  const app = Number(process.env.E2E_PORT ?? 3100);
  return { app, simulator: app + 1, executor: app + 2, database: app + 3 };
}

const statePath = () => path.join(tmpdir(), `coinsphere-e2e-${e2ePorts().app}.json`);

export function writeE2eState(state: E2eState): void {
  writeFileSync(statePath(), JSON.stringify(state), { mode: 0o600 });
}

export function readE2eState(): E2eState {
  return JSON.parse(readFileSync(statePath(), 'utf8')) as E2eState;
}
