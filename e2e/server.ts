// Playwright's web server: a production build served on its own fresh database, removed on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createTestDatabase, migratePgliteFolder } from '@/lib/testing/test-database';
import { startTestExecutor } from '@/lib/testing/inngest-executor';
import { startSimulator } from '@/lib/testing/exchange-simulator/server';
import { e2ePorts, writeE2eState } from './state';

// Beside the app: the exchange simulator (every ccxt request goes there) and the in-repo test
// executor standing in for Inngest (the app sends its events there; it drives /api/inngest back).
const { app: port, simulator: simulatorPort, executor: executorPort, database: databasePort } = e2ePorts();
const simulator = await startSimulator(simulatorPort);
const executor = await startTestExecutor({
  routeUrl: `http://localhost:${port}/api/inngest`,
  port: executorPort,
  concurrency: 8,
  // Every Connect starts a history backfill (a KuCoin one walks 365 daily windows), which Inngest's
  // per-exchange throttle would spread out; one at a time here, so backfills never starve the syncs
  // the tests wait for of the server's two cores.
  functionConcurrency: { 'import-history': 1 },
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'coinsphere-e2e-'));
// Two keys: the app encrypts with the first and reads both, so the canary sweep can rotate to the second.
const encryptionKeys = [`e2e1:${randomBytes(32).toString('base64')}`, `e2e2:${randomBytes(32).toString('base64')}`];
const serverLogPath = path.join(dataDir, 'server.log');
const serverLog = createWriteStream(serverLogPath, { mode: 0o600 });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  AUTH_SECRET: randomBytes(33).toString('base64'),
  ENCRYPTION_KEYS: encryptionKeys.join(','),
  AUTH_URL: `http://localhost:${port}`,
  COINSPHERE_DATA_DIR: dataDir,
  NEXT_TELEMETRY_DISABLED: '1',
  EXCHANGE_API_OVERRIDE: simulator.url,
  ALLOW_EXCHANGE_API_OVERRIDE: '1',
  // The simulator answers in milliseconds; a short timeout lets the canary sweep see ccxt's timeout error.
  EXCHANGE_TIMEOUT_MS: '6000',
  // The test executor stands in for Inngest in dev mode (unsigned requests), which production refuses unless allowed.
  INNGEST_DEV: '1',
  ALLOW_INNGEST_DEV: '1',
  INNGEST_BASE_URL: executor.url,
  // Every Connect starts a history import (a Binance one is ~200 requests back to 2017): the simulator can take them
  // at once, and the test executor fast-forwards the waits a spent history budget would ask for, which would spin.
  EXCHANGE_HISTORY_BUDGET_DEFAULT: '1000000/60',
  // Every browser test signs up from 127.0.0.1: room for all of them (the limit itself is tested in Vitest).
  LIMIT_SIGN_UPS: '10000/3600',
  // The canary sweep tests one key under every fault before connecting it (the limits are tested in Vitest).
  LIMIT_CONNECTION_CHECKS_PER_EXCHANGE: '1000/600',
  LIMIT_CONNECTION_CHECKS: '1000/3600',
  LIMIT_SYNC_NOW: '1000/30',
};

let drop: (() => Promise<void>) | undefined;

/**
 * pglite-socket queues each client's messages one at a time and keeps other clients out only while a
 * transaction is open. A Parse/Bind/Execute sequence up to its Sync is just as much one unit: another
 * client's message between them replaces the unnamed statement or portal. This tells the socket server a
 * sequence is open as if it were a transaction, so it serves the same client until its Sync.
 */
function oneSequenceAtATime(db: PGlite): PGlite {
  let sequenceOpen = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => sequenceOpen || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          // Parse, Bind, Describe, Execute, Close and Flush open (or continue) a sequence; Sync ends it, and a
          // simple Query, the start-up message or Terminate stand on their own.
          sequenceOpen = 'PBDECH'.includes(String.fromCharCode(message[0] ?? 0));
          return target.execProtocolRawStream(message, options);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
const serverUrl = process.env.DATABASE_URL?.trim();
if (serverUrl) {
  const db = await createTestDatabase(serverUrl, 'coinsphere_e2e');
  env.DATABASE_URL = db.url;
  drop = db.drop;
  console.info(`[e2e] PostgreSQL database ${db.name}`);
} else {
  // Only one process may open a PGlite folder, and both the app and the tests need the database: this
  // process opens it and serves it over the PostgreSQL wire protocol, so the app (postgres.js, as in
  // production with DATABASE_URL) and the test workers are both its clients. The socket server runs
  // one statement at a time and, while a client is inside a transaction, only that client's.
  const pgliteDir = path.join(dataDir, 'pglite');
  await migratePgliteFolder(pgliteDir);
  const pglite = await PGlite.create(pgliteDir);
  const socket = new PGLiteSocketServer({
    db: oneSequenceAtATime(pglite),
    host: '127.0.0.1',
    port: databasePort,
    maxConnections: 8,
  });
  await socket.start();
  env.DATABASE_URL = `postgres://postgres@127.0.0.1:${databasePort}/postgres`;
  // One session behind every client: the app keeps to one connection (see db/client.ts), the test
  // workers' client uses named statements, and no client's message lands inside another's extended-query
  // sequence (oneSequenceAtATime), which would replace its unnamed portal ("portal \"\" does not exist").
  env.DATABASE_POOL_SIZE = '1';
  drop = async () => {
    await socket.stop();
    await pglite.close();
  };
  console.info(`[e2e] PGlite database in ${pgliteDir}, served on port ${databasePort}`);
}

writeE2eState({
  databaseUrl: env.DATABASE_URL,
  simulatorUrl: simulator.url,
  executorUrl: executor.url,
  serverLogPath,
  rotationKeys: [...encryptionKeys].reverse().join(','),
});

let child: ChildProcess | undefined;
let stopping = false;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child?.kill('SIGTERM');
  await Promise.allSettled([simulator.close(), executor.close()]);
  await drop?.().catch((error: unknown) => console.error('[e2e] could not close the test database', error));
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

/** Runs `next <args>`, its output shown as before and also kept in server.log for the canary sweep. */
function run(args: string[]): ChildProcess {
  const proc = spawn(path.join('node_modules', '.bin', 'next'), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    serverLog.write(chunk);
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    serverLog.write(chunk);
  });
  child = proc;
  return proc;
}

if (process.env.E2E_SKIP_BUILD !== '1') {
  const code = await new Promise<number>((resolve) => run(['build']).on('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) await stop(code);
}
run(['start', '-p', String(port)]).on('exit', (code) => void stop(code ?? 0));
