import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { count, eq, sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import * as schema from '@/db/schema';
import { setDatabaseHandle } from '@/db';
import { migrateDatabase } from '@/db/migrate';
import { exchangeConnections, syncRuns } from '@/db/schema';
import { createTestConnections, createTestUsers } from '@/lib/testing/factories';
import { createTestDatabase } from '@/lib/testing/test-database';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { NewAccount } from '@/lib/testing/exchange-simulator/server';
import type { Exchange } from 'ccxt';
import { loadExchangeClass } from '@/lib/exchanges/ccxt-loader';
import { clearSharedMarkets, MAX_IDLE_CLIENTS } from '@/lib/exchanges/client';
import { redirectTransport } from '@/lib/exchanges/redirect';
import { startHttpServer } from '@/lib/testing/http-server';
import { inngest } from '@/lib/jobs/client';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';
import { Session } from 'node:inspector/promises';
import { readFile, writeFile } from 'node:fs/promises';

const CONNECTIONS = 200;
const USERS = 20;
/**
 * Runs in flight at once. ccxt spaces one sync's reads over ~1 s, so throughput needs many in flight;
 * as many as the client pool keeps (MAX_IDLE_CLIENTS), so the measured tick reuses every client.
 */
const EXECUTOR_CONCURRENCY = MAX_IDLE_CLIENTS;
const GOAL_SYNCS_PER_SECOND = 50;
/** Measured ticks after the warm-up; the reported rate is their median. */
const MEASURED_TICKS = 3;
/** The app's CPU per sync may be at most this many times a bare ccxt fetchBalance's. */
const GOAL_CPU_RATIO = 2;

/** Calls `read` once per client, `concurrency` at a time, and returns this process's CPU ms per call. */
async function cpuPerCall(clients: Exchange[], concurrency: number, read: (client: Exchange) => Promise<unknown>) {
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, clients.length) }, async () => {
      while (next < clients.length) await read(clients[next++]!);
    }),
  );
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000 / clients.length;
}

/**
 * The floor the app's CPU per sync is measured against: plain ccxt Binance clients, one per seeded
 * account, against the same simulator process, warm (markets loaded, one call made), no rate limiter, no
 * database, no Inngest. `fetchBalance` is one spot read; `sameReads` is what the app's Binance adapter
 * asks for (spot, funding, flexible and locked earn), without its parsing. `pass()` measures both
 * once; the bench runs one pass right after each measured tick, so each ratio compares the app and
 * bare ccxt under the same machine load (this machine's speed drifts within minutes).
 */
async function bareCcxt(simulatorUrl: string, accounts: { apiKey: string; secret: string }[]) {
  const Binance = await loadExchangeClass('binance');
  const clients = accounts.map((account) => {
    const client = new Binance({ apiKey: account.apiKey, secret: account.secret, enableRateLimit: false });
    redirectTransport(client, simulatorUrl);
    return client;
  });
  await clients[0]!.loadMarkets();
  // Shared as the app shares them (ccxt types setMarkets' second parameter as undefined).
  const currencies = clients[0]!.currencies as unknown as undefined;
  for (const client of clients.slice(1)) client.setMarkets(clients[0]!.markets, currencies);
  type Earn = { [method: string]: (params: object) => Promise<unknown> };
  const spot = (client: Exchange) => client.fetchBalance({ type: 'spot', omitZeroBalances: true });
  const sameReads = async (client: Exchange) => {
    await spot(client);
    await client.fetchBalance({ type: 'funding' });
    await (client as unknown as Earn).sapiGetSimpleEarnFlexiblePosition!({ current: 1, size: 100 });
    await (client as unknown as Earn).sapiGetSimpleEarnLockedPosition!({ current: 1, size: 100 });
  };
  await cpuPerCall(clients, EXECUTOR_CONCURRENCY, sameReads); // warm: every client has signed and read once
  return {
    /** CPU ms per call: fetchBalance over every client three times (one pass is too short to time), then the same reads once. */
    async pass() {
      const fetchBalance = [];
      for (let i = 0; i < 3; i++) fetchBalance.push(await cpuPerCall(clients, EXECUTOR_CONCURRENCY, spot));
      const sameReadsCpuMs = await cpuPerCall(clients, EXECUTOR_CONCURRENCY, sameReads);
      return { fetchBalanceCpuMs: fetchBalance.reduce((a, b) => a + b) / fetchBalance.length, sameReadsCpuMs };
    },
  };
}

/** A CPU profile of this process (V8's sampling profiler) written to `file` on stop, for DevTools. */
async function startProfile(file: string | undefined) {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** CPU (user + system) so far of the PostgreSQL backends serving `db`'s current database, in ms. */
async function backendCpuMs(db: DatabaseHandle['db']): Promise<number> {
  // postgres.js answers db.execute with the rows themselves.
  const rows = (await db.execute(
    sql`select pid from pg_stat_activity where datname = current_database()`,
  )) as unknown as { pid: number }[];
  const ticksPerSecond = 100; // USER_HZ: what /proc/<pid>/stat counts in on Linux
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return (ticks / ticksPerSecond) * 1000;
}

/**
 * A throw-away database: a fresh PostgreSQL database when DATABASE_URL is set, else in-memory PGlite.
 * On PostgreSQL the app's driver is opened here as db/client.ts opens it (same pool size), plus a
 * counter of the statements it sends (BEGIN and COMMIT included) and a reader of the server's CPU for
 * this database's backends, when the server runs on this machine (/proc); PGlite runs in this process,
 * so its CPU is already the app's.
 */
async function openBenchDatabase(): Promise<{
  handle: DatabaseHandle;
  kind: string;
  drop: () => Promise<void>;
  /** Statements the app has sent so far (PostgreSQL only). */
  statements: () => number | null;
  serverCpuMs: () => Promise<number | null>;
}> {
  const serverUrl = process.env.DATABASE_URL?.trim();
  let statements = 0;
  if (serverUrl) {
    const own = await createTestDatabase(serverUrl, 'coinsphere_bench');
    const client = postgres(own.url, {
      max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
      onnotice: () => {},
      debug: () => void statements++,
    });
    const db = drizzlePostgres(client, { schema }) as unknown as DatabaseHandle['db'];
    const handle: DatabaseHandle = { kind: 'postgres', db, close: () => client.end({ timeout: 5 }) };
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(own.url).hostname);
    return {
      handle,
      kind: 'postgres',
      drop: own.drop,
      statements: () => statements,
      serverCpuMs: async () => (local ? backendCpuMs(db) : null),
    };
  }
  const handle = openDatabase({ pgliteDir: 'memory://' });
  await migrateDatabase(handle);
  return { handle, kind: 'pglite', drop: async () => {}, statements: () => null, serverCpuMs: async () => null };
}

/** A bench helper in a process of its own; resolves once it prints its address. */
async function startChildProcess(script: string, env: Record<string, string>, listening: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = listening.exec(output);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before listening`)));
  });
  return {
    url,
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/**
 * The simulator in a process of its own, as the exchanges are: its CPU is not the app's. Accounts
 * are added through its control API.
 */
async function startSimulatorProcess() {
  const child = await startChildProcess(
    'lib/testing/exchange-simulator/main.ts',
    { SIMULATOR_PORT: '0' },
    /Exchange simulator on (http:\/\/\S+)/,
  );
  return {
    ...child,
    async addAccount(account: NewAccount) {
      const response = await fetch(`${child.url}/_sim/accounts`, { method: 'POST', body: JSON.stringify(account) });
      if (response.status !== 201) throw new Error(`the simulator refused an account: ${await response.text()}`);
    },
  };
}

type RouteHandler = (request: Request) => Promise<Response>;

/**
 * The app's `/api/inngest` route served over HTTP by node:http, as `next start` serves it (without
 * Next's own request handling): the executor, standing in for the Inngest server, calls it from its
 * own process. `load` is called on the first request.
 */
async function serveRoute(load: () => Promise<Record<'GET' | 'POST' | 'PUT', RouteHandler>>) {
  let handlers: Promise<Record<'GET' | 'POST' | 'PUT', RouteHandler>> | undefined;
  return startHttpServer((incoming, outgoing) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const method = (incoming.method ?? 'GET') as 'GET' | 'POST' | 'PUT';
      const request = new Request(`http://127.0.0.1${incoming.url}`, {
        method,
        headers,
        body: method === 'GET' || chunks.length === 0 ? undefined : Buffer.concat(chunks),
      });
      handlers ??= load();
      const response = await (await handlers)[method](request);
      const body = Buffer.from(await response.arrayBuffer());
      outgoing.writeHead(response.status, Object.fromEntries(response.headers)).end(body);
    })().catch((error: unknown) => outgoing.writeHead(500).end(String(error)));
  });
}

interface RemoteRun {
  functionId: string;
  status: string;
  output?: unknown;
  ops: string[];
}

/**
 * The test executor in a process of its own (bench/executor-process.ts), driving the route this
 * process serves over HTTP, through the executor's control API.
 */
async function startExecutorProcess(routeUrl: string) {
  const child = await startChildProcess(
    'bench/executor-process.ts',
    { EXECUTOR_ROUTE_URL: routeUrl, EXECUTOR_CONCURRENCY: String(EXECUTOR_CONCURRENCY) },
    /Test executor on (http:\/\/\S+)/,
  );
  const control = async <T>(method: string, path: string): Promise<T> => {
    const response = await fetch(`${child.url}/_control/${path}`, { method });
    if (response.status !== 200) throw new Error(`executor ${method} ${path}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url: child.url,
    close: child.close,
    tick: (functionId: string) => control<RemoteRun>('POST', `tick/${functionId}`),
    runsOf: (functionId: string) => control<RemoteRun[]>('GET', `runs?functionId=${encodeURIComponent(functionId)}`),
    reset: () => control<unknown>('POST', 'reset'),
    /** The executor process's CPU so far, in ms. */
    cpuMs: async () => {
      const cpu = await control<NodeJS.CpuUsage>('GET', 'cpu');
      return (cpu.user + cpu.system) / 1000;
    },
  };
}

/**
 * End-to-end syncs per second: a cron tick of `schedule-syncs` through the test executor claims
 * 200 due Binance connections, fans their events out, and each `sync-connection` run decrypts its
 * credentials, reads the simulator with ccxt (its rate limiter on, as in production) and writes
 * holdings and history. Timed from the tick to the last run’s end; the median of three ticks. The
 * executor runs in a process of its own and calls this process's route over HTTP, so the CPU measured
 * here is the app's alone.
 */
export async function inngestBenchmarks() {
  setKeyring(parseKeyring(`bench:${randomBytes(32).toString('base64')}`));
  const simulator = await startSimulatorProcess();
  process.env.EXCHANGE_API_OVERRIDE = simulator.url;
  clearSharedMarkets();
  const database = await openBenchDatabase();
  setDatabaseHandle(database.handle);
  const db = database.handle.db;
  // The route is loaded on the first request, once the environment points the SDK at the executor:
  // serve() fixes its register URL from the environment when it is created.
  const route = await serveRoute(
    async () => (await import('@/app/api/inngest/route')) as unknown as Record<'GET' | 'POST' | 'PUT', RouteHandler>,
  );
  const executor = await startExecutorProcess(`${route.url}/api/inngest`);
  const previousEnv = {
    INNGEST_DEV: process.env.INNGEST_DEV,
    INNGEST_BASE_URL: process.env.INNGEST_BASE_URL,
    EXCHANGE_BUDGET_DEFAULT: process.env.EXCHANGE_BUDGET_DEFAULT,
  };
  process.env.INNGEST_DEV = '1';
  process.env.INNGEST_BASE_URL = executor.url;
  // Every sync still draws from the per-exchange budget (its cost is part of what is measured), but
  // 200 connections synced four times in seconds is far past any real installation's budget.
  process.env.EXCHANGE_BUDGET_DEFAULT = '1000000/60';
  // The client read the environment when it was created.
  inngest.setEnvVars({ INNGEST_DEV: '1', INNGEST_BASE_URL: executor.url });
  try {
    const userIds = await createTestUsers(db, USERS, { emailPrefix: 'bench' });
    const seeded = Array.from({ length: CONNECTIONS }, (_, i) => ({
      userId: userIds[i % USERS]!,
      apiKey: `bench-inngest-${i}-${randomBytes(8).toString('hex')}`,
      secret: randomBytes(24).toString('hex'),
    }));
    await createTestConnections(
      db,
      seeded.map((c, i) => ({
        userId: c.userId,
        label: `Binance ${i}`,
        credentials: { apiKey: c.apiKey, secret: c.secret },
        // Every connection is due for the warm-up tick, and again for the measured one.
        values: { nextSyncAt: new Date(Date.now() - 1_000) },
      })),
    );
    for (const c of seeded) {
      await simulator.addAccount({
        exchange: 'binance',
        apiKey: c.apiKey,
        secret: c.secret,
        wallets: {
          spot: {
            BTC: { free: '0.5', used: '0.1' },
            ETH: { free: '3', used: '0' },
            USDT: { free: '1200.5', used: '0' },
          },
          funding: { USDT: { free: '50', used: '0' } },
        },
      });
    }

    // Warm-up: a first tick loads the modules and the shared markets and fills the client pool, as a
    // running app already has. Measured on its own as the cold start.
    const warmStart = performance.now();
    await executor.tick('schedule-syncs');
    const warmUpMs = performance.now() - warmStart;

    // Three measured ticks, each over all connections due again; one tick's rate varies by ±15% here.
    const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
    const ticks = [];
    // Bare ccxt against the same simulator and accounts, in this process, warmed before the first tick.
    const bare = await bareCcxt(simulator.url, seeded);
    for (let i = 0; i < MEASURED_TICKS; i++) {
      await executor.reset();
      await db.update(exchangeConnections).set({ nextSyncAt: sql`now() - interval '1 second'` });
      const executorCpuBefore = await executor.cpuMs();
      const serverCpuBefore = await database.serverCpuMs();
      const statementsBefore = database.statements();
      // One profile per tick (<file>.<tick>), so the bare passes between ticks are not in it.
      const profile = await startProfile(process.env.BENCH_CPU_PROFILE && `${process.env.BENCH_CPU_PROFILE}.${i}`);
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      const tick = await executor.tick('schedule-syncs');
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      await profile?.stop();
      const statements = database.statements();
      const executorCpuMs = (await executor.cpuMs()) - executorCpuBefore;
      const serverCpuAfter = await database.serverCpuMs();
      const runs = await executor.runsOf('sync-connection');
      const bareCpu = await bare.pass();
      ticks.push({
        output: tick.output,
        seconds,
        syncsPerSecond: runs.length / seconds,
        completed: runs.filter((run) => run.status === 'completed').length,
        cpuMsPerSync: (cpu.user + cpu.system) / 1000 / runs.length,
        executorCpuMsPerSync: executorCpuMs / runs.length,
        databaseServerCpuMsPerSync:
          serverCpuBefore === null || serverCpuAfter === null ? null : (serverCpuAfter - serverCpuBefore) / runs.length,
        statementsPerSync:
          statements === null || statementsBefore === null ? null : (statements - statementsBefore) / runs.length,
        routeRequestsPerSync: runs.reduce((n, run) => n + run.ops.length, 0) / runs.length,
        bareFetchBalanceCpuMs: bareCpu.fetchBalanceCpuMs,
        bareSameReadsCpuMs: bareCpu.sameReadsCpuMs,
        ratioToFetchBalance: (cpu.user + cpu.system) / 1000 / runs.length / bareCpu.fetchBalanceCpuMs,
        ratioToSameReads: (cpu.user + cpu.system) / 1000 / runs.length / bareCpu.sameReadsCpuMs,
      });
    }
    const median = ticks.toSorted((a, b) => a.syncsPerSecond - b.syncsPerSecond)[Math.floor(MEASURED_TICKS / 2)]!;
    const middle = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const cpuMsPerSync = middle(ticks.map((tick) => tick.cpuMsPerSync));
    const executorCpuMsPerSync = middle(ticks.map((tick) => tick.executorCpuMsPerSync));
    const nullableMiddle = (values: (number | null)[]) =>
      values.includes(null) ? null : middle(values.filter((value) => value !== null));
    const databaseServerCpuMsPerSync = nullableMiddle(ticks.map((tick) => tick.databaseServerCpuMsPerSync));
    const statementsPerSync = nullableMiddle(ticks.map((tick) => tick.statementsPerSync));
    const bareFetchBalanceCpuMs = middle(ticks.map((tick) => tick.bareFetchBalanceCpuMs));
    const bareSameReadsCpuMs = middle(ticks.map((tick) => tick.bareSameReadsCpuMs));
    // Each tick's ratio is to the bare pass right after it; the median of the three.
    const ratioToFetchBalance = middle(ticks.map((tick) => tick.ratioToFetchBalance));
    const ratioToSameReads = middle(ticks.map((tick) => tick.ratioToSameReads));
    const [succeeded] = await db.select({ n: count() }).from(syncRuns).where(eq(syncRuns.status, 'succeeded'));
    const syncsPerSecond = round(median.syncsPerSecond);
    return {
      database: database.kind,
      connections: CONNECTIONS,
      executorConcurrency: EXECUTOR_CONCURRENCY,
      measuredTicks: MEASURED_TICKS,
      tick: median.output,
      runsCompleted: ticks.map((tick) => tick.completed),
      runsSucceededInDatabase: Number(succeeded?.n ?? 0) - CONNECTIONS, // less the warm-up runs
      seconds: round(median.seconds, 2),
      syncsPerSecondEachTick: ticks.map((tick) => round(tick.syncsPerSecond)),
      syncsPerSecond,
      goalSyncsPerSecond: GOAL_SYNCS_PER_SECOND,
      withinGoal: syncsPerSecond >= GOAL_SYNCS_PER_SECOND,
      // Cold: module loading, the shared market load and every client built. A warm sync still takes
      // ~1 s of wall time, ccxt's own rate limiter spacing the 4 Binance reads (earn weighs 150 each).
      warmUpTickMs: Math.round(warmUpMs),
      // The app process's CPU per sync (user + system, median tick): the Inngest route served over
      // node:http, the Inngest SDK, the scheduler's tick, the sync itself, ccxt and its HTTP requests,
      // the database driver (on PGlite the database too, which runs in this process). Not counted: the
      // test executor standing in for the Inngest server, the simulator and PostgreSQL, each in a
      // process of its own. The ceiling on one core is 1000 / this.
      cpuMsPerSync: round(cpuMsPerSync, 2),
      // The executor's own process, per sync: Inngest's side in production, reported apart.
      executorCpuMsPerSync: round(executorCpuMsPerSync, 2),
      // PostgreSQL's own CPU per sync (the backends serving the bench database, from /proc; the
      // server's shared writers are not counted), and the statements the app sent per sync, BEGIN and
      // COMMIT included. Both null on PGlite, whose CPU is in cpuMsPerSync.
      databaseServerCpuMsPerSync: databaseServerCpuMsPerSync === null ? null : round(databaseServerCpuMsPerSync, 2),
      statementsPerSync: statementsPerSync === null ? null : round(statementsPerSync, 2),
      // The app and its PostgreSQL together, against the same bare fetchBalance.
      cpuRatioWithDatabaseServerToBareFetchBalance:
        databaseServerCpuMsPerSync === null
          ? null
          : round((cpuMsPerSync + databaseServerCpuMsPerSync) / bareFetchBalanceCpuMs, 2),
      // This process's CPU for one bare, warm ccxt fetchBalance (and for the adapter's four reads), measured
      // right after each tick; the ratios are each tick's to its own bare pass, the median of the three.
      bareCcxtFetchBalanceCpuMs: round(bareFetchBalanceCpuMs, 2),
      bareCcxtSameReadsCpuMs: round(bareSameReadsCpuMs, 2),
      cpuRatioToBareFetchBalance: round(ratioToFetchBalance, 2),
      cpuRatioToBareSameReads: round(ratioToSameReads, 2),
      cpuRatioToBareFetchBalanceEachTick: ticks.map((tick) => round(tick.ratioToFetchBalance, 2)),
      // The goal (issue 11) is the ratio to one bare fetchBalance; the same-reads ratio is reported beside it.
      goalCpuRatioToBareFetchBalance: GOAL_CPU_RATIO,
      cpuWithinGoal: ratioToFetchBalance <= GOAL_CPU_RATIO,
      cpuWithinGoalOfSameReads: ratioToSameReads <= GOAL_CPU_RATIO,
      routeRequestsPerSync: round(median.routeRequestsPerSync),
      rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
      cpuCores: availableParallelism(),
    };
  } finally {
    await executor.close();
    await route.close();
    await simulator.close();
    for (const [name, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    delete process.env.EXCHANGE_API_OVERRIDE;
    clearSharedMarkets();
    setDatabaseHandle(undefined);
    await database.handle.close();
    await database.drop();
    setKeyring(undefined);
  }
}
