import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { inngest } from '@/lib/jobs/client';
import { startHttpServer } from './http-server';

/**
 * TEST SUPPORT ONLY: a stand-in for the Inngest executor, so tests can run our functions through
 * the real `/api/inngest` route handlers (loaded in-process and called with `new Request`, or over HTTP) over
 * Inngest's HTTP protocol, without the Go dev server (not installable here).
 *
 * Modelled: PUT sync (the SDK posts its function configs to our fake `/fn/register`), memoised
 * steps keyed by hashed step id, StepRun / StepPlanned / StepError / StepFailed ops, per-step and
 * function-level retries up to the function's `retries`, NonRetriableError (no retry), the
 * `<id>-failure` onFailure function, RetryAfterError (its delay is recorded, not waited for),
 * sleeps fast-forwarded, a fake Event API (`POST /e/:key`) that records events, drops duplicate
 * event ids (Inngest's idempotency) and runs the functions they trigger, `cancelOn` and
 * `singleton: skip` for `a == b` expressions, and `tick(fnId)` for cron functions.
 * Each function has its own pool of `concurrency` runs at once, as each Inngest function has its own
 * limit: a backlog of one function (a history backfill) never queues another's runs (a sync).
 * Not modelled: throttle, keyed concurrency, debounce, rate limits, batching, priority, real cron
 * time, waitForEvent matching (it times out at once), invoke, checkpointing. Assert those through config.
 *
 * Start it before anything imports the route module (it loads the route itself, once the
 * environment points at the fake API). Runs execute in the background; `settled()` waits for them.
 */

export interface ExecutorEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
  ts: number;
}

export interface RunRecord {
  runId: string;
  /** The function's id without the app prefix, e.g. 'sync-connection' or 'sync-connection-failure'. */
  functionId: string;
  event: ExecutorEvent;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';
  output?: unknown;
  error?: { name: string; message: string };
  /** Every op and outcome in order, e.g. ['StepError', 'StepRun', 'Completed']. */
  ops: string[];
  /** Retry-After values the SDK asked for (fast-forwarded, never waited for). */
  retryAfter: string[];
  /** Every answer of the app's route for this run, as sent: step outputs, step and function errors, the output. */
  responses: string[];
}

export interface TestExecutor {
  /** The fake Inngest API (Event API and /fn/register); INNGEST_BASE_URL points here. */
  url: string;
  /** Events accepted by the fake Event API, duplicates by id excluded. */
  events: ExecutorEvent[];
  runs: RunRecord[];
  runsOf(functionId: string): RunRecord[];
  /** Sends events the way `inngest.send` does, then waits until every run they caused has finished. */
  send(events: Partial<ExecutorEvent> | Array<Partial<ExecutorEvent>>): Promise<void>;
  /** Runs a cron function now (and everything it fans out to); resolves with its own run. */
  tick(functionId: string): Promise<RunRecord>;
  /** Resolves once no run is queued or running. */
  settled(): Promise<void>;
  /** Forgets recorded events, runs and seen event ids (the registration stays). Call when settled. */
  reset(): void;
  close(): Promise<void>;
}

interface FunctionConfig {
  id: string;
  triggers: Array<{ event?: string; expression?: string; cron?: string }>;
  steps: { step: { retries?: { attempts?: number } } };
  cancel?: Array<{ event: string; if?: string }>;
  singleton?: { key?: string; mode: 'skip' | 'cancel' };
}

interface OutgoingOp {
  id: string;
  op: string;
  data?: unknown;
  error?: unknown;
}

const ROUTE_URL = 'http://127.0.0.1/api/inngest';
const MAX_REQUESTS_PER_RUN = 1000;

/** `a == b` where each side is a dotted path (event.data.x, async.data.x) or a quoted literal. */
function evaluate(expression: string, scope: Record<string, unknown>): boolean {
  const sides = expression.split('==').map((side) => side.trim());
  if (sides.length !== 2) throw new Error(`test executor: unsupported expression "${expression}"`);
  const [left, right] = sides.map((side) => valueOf(side, scope));
  return left !== undefined && left === right;
}

function valueOf(token: string, scope: Record<string, unknown>): unknown {
  if (/^(['"]).*\1$/.test(token)) return token.slice(1, -1);
  return token.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], scope);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

export interface TestExecutorOptions {
  /** Runs at most this many runs of each function at once. */
  concurrency?: number;
  /**
   * A smaller pool for some functions, by id (e.g. `{ 'import-history': 1 }`): Inngest's throttle would
   * space their runs, and the executor, which does not model throttles, would otherwise run them flat out.
   */
  functionConcurrency?: Record<string, number>;
  /**
   * Drive an app served by another process (e.g. `next start` in the Playwright suite) at this URL
   * (`http://localhost:3100/api/inngest`) instead of importing the route in-process. That app must
   * run with INNGEST_DEV=1 and INNGEST_BASE_URL pointing at this executor's `url`; it is synced on the
   * first event or tick, since it may start after the executor.
   */
  routeUrl?: string;
  /**
   * The app's `/api/inngest` route module, loaded in-process (tests and benches pass
   * `() => import('@/app/api/inngest/route')`). Called only after the environment points at the fake
   * API: serve() fixes its register URL from the environment when it is created.
   */
  loadRoute?: () => Promise<unknown>;
  /** Port of the fake API (0: any free port). */
  port?: number;
}

type RouteHandler = (request: Request) => Promise<Response>;

/** Forwards a request built for ROUTE_URL to the app at `routeUrl`, over HTTP. */
function remoteRoute(routeUrl: string): RouteHandler {
  return async (request) =>
    fetch(`${routeUrl}${new URL(request.url).search}`, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' || request.method === 'PUT' ? undefined : await request.text(),
    });
}

/**
 * Starts the fake Inngest API, points the SDK at it (INNGEST_DEV=1, INNGEST_BASE_URL) and syncs the
 * app through the route's PUT handler. With `routeUrl`, drives a remote app over HTTP instead and also
 * serves a control API for tests in other processes: `POST /_control/tick/<fnId>` (runs a cron
 * function and everything it fans out to; answers its run), `GET /_control/runs[?functionId=]`,
 * `GET /_control/transcript` (events and the route's raw answers), `POST /_control/settled`,
 * `POST /_control/reset` (once settled) and `GET /_control/cpu` (this
 * process's `process.cpuUsage()`, so a bench can tell the executor's CPU from the app's).
 */
export async function startTestExecutor(options: TestExecutorOptions = {}): Promise<TestExecutor> {
  const concurrency = options.concurrency ?? 8;
  const functions = new Map<string, FunctionConfig>();
  const events: ExecutorEvent[] = [];
  const runs: RunRecord[] = [];
  const seenEventIds = new Set<string>();
  const cancelled = new Set<RunRecord>();
  const queue: Array<{ run: RunRecord; fn: FunctionConfig }> = [];
  const waiters: Array<() => void> = [];
  let active = 0;
  const activeByFunction = new Map<string, number>();
  let appPrefix = `${inngest.id}-`;

  const server = await startHttpServer((request, response) => {
    void (async () => {
      const body = await readJson(request);
      const answer = (status: number, payload: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (request.url?.startsWith('/fn/register')) {
        const sync = body as { appName: string; functions: FunctionConfig[] };
        appPrefix = `${sync.appName}-`;
        for (const fn of sync.functions) functions.set(fn.id, fn);
        return answer(200, { status: 200, modified: true });
      }
      if (request.url?.startsWith('/e/')) {
        await ensureSynced();
        const ids = accept(Array.isArray(body) ? body : [body]).map((event) => event.id);
        return answer(200, { status: 200, ids });
      }
      if (options.routeUrl && request.url?.startsWith('/_control/')) {
        const url = new URL(request.url, 'http://executor');
        const [, , action, fnId] = url.pathname.split('/');
        if (request.method === 'POST' && action === 'tick' && fnId) return answer(200, summary(await tick(fnId)));
        // Everything the app handed Inngest: events and every raw answer of its route (the canary sweep reads it).
        if (request.method === 'GET' && action === 'transcript') {
          return answer(200, { events, runs: runs.map((run) => ({ ...summary(run), responses: run.responses })) });
        }
        if (request.method === 'GET' && action === 'runs') {
          const functionId = url.searchParams.get('functionId');
          return answer(200, (functionId ? runs.filter((r) => r.functionId === functionId) : runs).map(summary));
        }
        if (request.method === 'POST' && action === 'settled') {
          await settled();
          return answer(200, { ok: true });
        }
        if (request.method === 'POST' && action === 'reset') {
          await settled();
          reset();
          return answer(200, { ok: true });
        }
        // This process's CPU so far (µs): a bench subtracts two readings to learn what the executor cost.
        if (request.method === 'GET' && action === 'cpu') return answer(200, process.cpuUsage());
      }
      answer(404, { error: `test executor: ${request.method} ${request.url} is not emulated` });
    })().catch((error: unknown) => response.writeHead(500).end(String(error)));
  }, options.port ?? 0);

  const previousEnv = { INNGEST_DEV: process.env.INNGEST_DEV, INNGEST_BASE_URL: process.env.INNGEST_BASE_URL };
  let POST: RouteHandler;
  let PUT: RouteHandler;
  if (options.routeUrl) {
    POST = PUT = remoteRoute(options.routeUrl);
  } else {
    if (!options.loadRoute) throw new Error('startTestExecutor: pass routeUrl (remote app) or loadRoute (in-process)');
    process.env.INNGEST_DEV = '1';
    process.env.INNGEST_BASE_URL = server.url;
    // The client read the environment when it was created; sends made outside a request need this too.
    inngest.setEnvVars({ INNGEST_DEV: '1', INNGEST_BASE_URL: server.url });
    // Typed for NextRequest; inngest/next reads only what a plain Request has.
    ({ POST, PUT } = (await options.loadRoute()) as Record<'POST' | 'PUT', RouteHandler>);
  }

  let syncing: Promise<void> | undefined;
  /** Syncs the app once (again after a failure): its PUT handler posts the function configs to /fn/register. */
  function ensureSynced(): Promise<void> {
    syncing ??= (async () => {
      const sync = await PUT(new Request(ROUTE_URL, { method: 'PUT' }));
      if (sync.status !== 200 || functions.size === 0) {
        throw new Error(`test executor: app sync failed (${sync.status}): ${await sync.text()}`);
      }
    })().catch((error: unknown) => {
      syncing = undefined;
      throw error;
    });
    return syncing;
  }
  if (!options.routeUrl) {
    try {
      await ensureSynced();
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  const shortId = (fullId: string) => (fullId.startsWith(appPrefix) ? fullId.slice(appPrefix.length) : fullId);

  /** The Event API: record, drop duplicate ids, cancel matching runs, start triggered functions. */
  function accept(incoming: Array<Partial<ExecutorEvent>>): ExecutorEvent[] {
    const accepted: ExecutorEvent[] = [];
    for (const partial of incoming) {
      const event: ExecutorEvent = {
        id: partial.id ?? randomUUID(),
        name: partial.name ?? '',
        data: partial.data ?? {},
        ts: partial.ts ?? Date.now(),
      };
      accepted.push(event);
      if (seenEventIds.has(event.id)) continue;
      seenEventIds.add(event.id);
      events.push(event);
      for (const run of runs) {
        const cancel = functions.get(appPrefix + run.functionId)?.cancel ?? [];
        const matches = cancel.some(
          (c) => c.event === event.name && (!c.if || evaluate(c.if, { event: run.event, async: event })),
        );
        if (matches && (run.status === 'queued' || run.status === 'running')) cancelled.add(run);
      }
      for (const fn of functions.values()) {
        const triggered = fn.triggers.some(
          (t) => t.event === event.name && (!t.expression || evaluate(t.expression, { event })),
        );
        if (triggered) start(fn, event);
      }
    }
    return accepted;
  }

  function start(fn: FunctionConfig, event: ExecutorEvent): RunRecord {
    const run: RunRecord = {
      runId: randomUUID(),
      functionId: shortId(fn.id),
      event,
      status: 'queued',
      ops: [],
      retryAfter: [],
      responses: [],
    };
    runs.push(run);
    if (fn.singleton) {
      const key = (r: RunRecord) => (fn.singleton?.key ? valueOf(fn.singleton.key, { event: r.event }) : '');
      const busy = runs.some(
        (other) =>
          other !== run &&
          other.functionId === run.functionId &&
          ['queued', 'running'].includes(other.status) &&
          key(other) === key(run),
      );
      if (busy && fn.singleton.mode === 'skip') {
        run.status = 'skipped';
        return run;
      }
    }
    queue.push({ run, fn });
    pump();
    return run;
  }

  function pump() {
    for (let index = 0; index < queue.length; ) {
      const next = queue[index]!;
      const functionId = next.run.functionId;
      const busy = activeByFunction.get(functionId) ?? 0;
      if (busy >= (options.functionConcurrency?.[functionId] ?? concurrency)) {
        index += 1;
        continue;
      }
      queue.splice(index, 1);
      active += 1;
      activeByFunction.set(functionId, busy + 1);
      void execute(next.run, next.fn)
        .catch((error: unknown) => {
          next.run.status = 'failed';
          next.run.error = { name: 'ExecutorError', message: String(error) };
        })
        .finally(() => {
          active -= 1;
          activeByFunction.set(functionId, (activeByFunction.get(functionId) ?? 1) - 1);
          pump();
          if (active === 0 && queue.length === 0) waiters.splice(0).forEach((wake) => wake());
        });
    }
  }

  /** Drives one run to its end: one POST per step, as Inngest does, memoising each step's result. */
  async function execute(run: RunRecord, fn: FunctionConfig) {
    run.status = 'running';
    const maxAttempts = (fn.steps.step.retries?.attempts ?? 3) + 1;
    const steps: Record<string, unknown> = {};
    const stack: string[] = [];
    const planned: string[] = [];
    const memoise = (id: string, value: unknown) => {
      steps[id] = value;
      stack.push(id);
    };
    let stepId = 'step';
    let attempt = 0;
    for (let request = 0; request < MAX_REQUESTS_PER_RUN; request++) {
      if (cancelled.has(run)) {
        run.status = 'cancelled';
        return;
      }
      const body = {
        version: 2,
        event: run.event,
        events: [run.event],
        steps,
        // No fn_id and use_api false: the SDK stays in plain async mode and never calls the API back.
        ctx: {
          run_id: run.runId,
          attempt,
          max_attempts: maxAttempts,
          use_api: false,
          stack: { stack, current: stack.length },
        },
      };
      const url = `${ROUTE_URL}?fnId=${encodeURIComponent(fn.id)}&stepId=${encodeURIComponent(stepId)}`;
      const response = await POST(
        new Request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
      const text = await response.text();
      run.responses.push(text);
      const result: unknown = JSON.parse(text);
      const retryAfter = response.headers.get('retry-after');
      if (response.status === 200) {
        run.ops.push('Completed');
        run.status = 'completed';
        run.output = result;
        return;
      }
      if (response.status === 206) {
        let retryStep: string | undefined;
        for (const op of result as OutgoingOp[]) {
          run.ops.push(op.op);
          if (op.op === 'StepRun') memoise(op.id, { data: op.data });
          else if (op.op === 'StepFailed') memoise(op.id, { error: op.error });
          else if (op.op === 'Sleep' || op.op === 'WaitForEvent') memoise(op.id, { data: null });
          else if (op.op === 'StepPlanned') planned.push(op.id);
          else if (op.op === 'StepError') retryStep = op.id;
          else throw new Error(`test executor: op ${op.op} is not emulated`);
        }
        if (retryStep) {
          if (retryAfter) run.retryAfter.push(retryAfter);
          attempt += 1;
          stepId = retryStep;
        } else {
          attempt = 0;
          stepId = planned.shift() ?? 'step';
        }
        continue;
      }
      // 4xx/5xx: the function itself threw. Retry it unless the SDK said no, or attempts are spent.
      if (response.headers.get('x-inngest-no-retry') !== 'true' && attempt + 1 < maxAttempts) {
        run.ops.push('FunctionError');
        if (retryAfter) run.retryAfter.push(retryAfter);
        attempt += 1;
        continue;
      }
      run.ops.push('Failed');
      run.status = 'failed';
      run.error = result as RunRecord['error'];
      accept([
        {
          name: 'inngest/function.failed',
          data: { function_id: fn.id, run_id: run.runId, error: result, event: run.event },
        },
      ]);
      return;
    }
    throw new Error(`test executor: run ${run.runId} of ${fn.id} made over ${MAX_REQUESTS_PER_RUN} requests`);
  }

  const settled = () =>
    active === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));

  async function tick(functionId: string): Promise<RunRecord> {
    await ensureSynced();
    const fn = functions.get(appPrefix + functionId);
    const cron = fn?.triggers.find((t) => t.cron)?.cron;
    if (!fn || !cron) throw new Error(`test executor: ${functionId} is not a registered cron function`);
    const run = start(fn, { id: randomUUID(), name: 'inngest/scheduled.timer', data: { cron }, ts: Date.now() });
    await settled();
    return run;
  }

  function reset() {
    events.length = 0;
    runs.length = 0;
    seenEventIds.clear();
    cancelled.clear();
  }

  const summary = (run: RunRecord) => ({
    runId: run.runId,
    functionId: run.functionId,
    eventName: run.event.name,
    status: run.status,
    output: run.output,
    ops: run.ops,
    error: run.error,
  });

  return {
    url: server.url,
    events,
    runs,
    runsOf: (functionId) => runs.filter((run) => run.functionId === functionId),
    async send(incoming) {
      accept(Array.isArray(incoming) ? incoming : [incoming]);
      await settled();
    },
    tick,
    settled,
    reset,
    async close() {
      await settled();
      await server.close();
      for (const [name, value] of Object.entries(previousEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
