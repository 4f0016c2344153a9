// `next dev` as `npm run dev` runs it (lib/config/dev-server.ts: migrate, then `next dev`), for the tests that
// read what the development server prints or use it without an Inngest dev server. Beside the suite's
// production server: its own port, its own database (a fresh PostgreSQL database, or the embedded PGlite a
// newcomer gets), its own test executor standing in for the Inngest dev server (or none, as offline); the
// suite's exchange simulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { createTestDatabase, migratePgliteFolder } from '@/lib/testing/test-database';
import { refusingUrl } from '@/lib/testing/http-server';
import { dumpDatabase, dumpPglite, type Sink } from './canary';
import { e2ePorts, readE2eState } from './state';

export interface DevServer {
  url: string;
  /** The test executor standing in for the Inngest dev server; null when started without one. */
  executor: TestExecutor | null;
  /** Everything `next dev` wrote to stdout and stderr so far. */
  output: () => string;
  /** Stops the server and answers its database as text, one sink per table. */
  stopAndDump: () => Promise<Sink[]>;
}

async function waitUntilServing(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`next dev did not answer ${url} within ${deadlineMs} ms`);
}

async function portInUse(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch (error) {
    return !String((error as Error).cause ?? error).includes('ECONNREFUSED');
  }
}

/**
 * `inngest: 'absent'` starts it as a newcomer offline gets it: no Inngest dev server answers at the URL the
 * SDK is given (a port that refuses connections).
 */
/**
 * One `next dev` at a time across the suite's workers: they would share the port and the project's
 * .next/dev folder. A lock folder holding its owner's pid; one left by a worker that died is taken over.
 */
async function takeDevServerLock(): Promise<() => void> {
  const lock = path.join(tmpdir(), `coinsphere-e2e-dev-${e2ePorts().app}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }));
      if (owner && owner !== process.pid && !processAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startDevServer(options: { inngest?: 'executor' | 'absent' } = {}): Promise<DevServer> {
  const port = e2ePorts().app + 5;
  const url = `http://localhost:${port}`;
  const unlock = await takeDevServerLock();
  process.once('exit', unlock);
  // A server left on the port would answer in place of this one.
  if (await portInUse(port)) {
    unlock();
    throw new Error(`port ${port} is in use: stop what listens there`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coinsphere-e2e-dev-'));
  const executor =
    options.inngest === 'absent'
      ? null
      : await startTestExecutor({ routeUrl: `${url}/api/inngest`, port: 0, concurrency: 2 });
  // A clean environment, as in a terminal: the test worker's own (Playwright's loader in NODE_OPTIONS, forced
  // colours) changes what next dev prints.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: 'development',
    COINSPHERE_DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: '1',
    EXCHANGE_API_OVERRIDE: readE2eState().simulatorUrl,
    INNGEST_DEV: '1',
    INNGEST_BASE_URL: executor?.url ?? (await refusingUrl()),
    AUTH_URL: url,
  };
  // No AUTH_SECRET or ENCRYPTION_KEYS: development generates its own into the data folder, as for a newcomer.
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  let dump: () => Promise<Sink[]>;
  let drop = async () => {};
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (serverUrl) {
    const db = await createTestDatabase(serverUrl, 'coinsphere_dev');
    env.DATABASE_URL = db.url;
    drop = db.drop;
    dump = async () => {
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        return await dumpDatabase(sql, 'dev database');
      } finally {
        await sql.end();
      }
    };
  } else {
    // The embedded default: the app opens the PGlite folder itself; it is read after the server stops.
    delete env.DATABASE_URL;
    const pgliteDir = path.join(dataDir, 'pglite');
    env.PGLITE_DIR = pgliteDir;
    await migratePgliteFolder(pgliteDir);
    dump = async () => {
      const db = await PGlite.create(pgliteDir);
      try {
        return await dumpPglite(db, 'dev database');
      } finally {
        await db.close();
      }
    };
  }

  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const child = spawn(process.execPath, [nextBin, 'dev', '-p', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Also when the test worker is ended (a timeout): next dev and the worker it forked go with it.
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killGroup);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      // Its process group: next dev forks a server worker.
      process.kill(-child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await executor?.close();
    unlock();
  };
  try {
    await waitUntilServing(`${url}/sign-in`, child, 240_000);
  } catch (error) {
    await stop();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${chunks.join('')}`);
  }
  return {
    url,
    executor,
    output: () => chunks.join(''),
    async stopAndDump() {
      await stop();
      try {
        return await dump();
      } finally {
        await drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
