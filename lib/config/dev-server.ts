// `npm run dev`: applies pending migrations, then runs `next dev` and the Inngest dev server side by side,
// and once Next answers, compiles the main pages in the background so the first visit does not wait for
// them. Without the Inngest dev server (offline: its CLI cannot be downloaded) the app still runs: Sync now
// and Sync all run in the app's process and scheduled syncs are paused (lib/jobs/availability.ts).
// Ctrl-C stops both; when Next exits, so does this.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { configuredTarget, openDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { warmRoutes } from './warm-routes';

const INNGEST_DEV_URL = 'http://localhost:8288';
const INNGEST_PROBE_URL = 'http://127.0.0.1:8288/';
const UNAVAILABLE =
  'Inngest dev server unavailable (offline?): scheduled syncs are paused until it runs; Sync now and Sync all run in the app.';
const STOPPED = (how: string) =>
  `Inngest dev server stopped (${how}): scheduled syncs are paused until it is back; Sync now and Sync all run in the app.`;

/** Output of the Inngest CLI kept until it is up: npm's download errors are not worth showing. */
const MAX_BUFFERED_LINES = 200;

const nextArgs = process.argv.slice(2);

/** The port `next dev` will listen on: `-p`/`--port`, else PORT, else 3000. */
function appPort(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if ((arg === '-p' || arg === '--port') && args[i + 1]) return args[i + 1]!;
    const inline = /^--port=(\d+)$/.exec(arg);
    if (inline) return inline[1]!;
  }
  return process.env.PORT ?? '3000';
}

async function migrate(): Promise<void> {
  const target = configuredTarget();
  // The handle is closed before Next starts: only one process may open a PGlite folder.
  const handle = openDatabase(target);
  try {
    await migrateDatabase(handle);
    console.info(`Database is up to date (${target.url ? 'PostgreSQL' : `PGlite at ${target.pgliteDir}`}).`);
  } finally {
    await handle.close();
  }
}

async function inngestAnswers(): Promise<boolean> {
  try {
    await fetch(INNGEST_PROBE_URL, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

/** Signals a child's whole process group (npx → CLI shim → binary; next → its server worker). */
function signalGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

const children: { next?: ChildProcess; inngest?: ChildProcess } = {};
let stopping = false;

function startNext(): ChildProcess {
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  // Its own process group, so stopping it also stops the worker it forks.
  const child = spawn(process.execPath, [nextBin, 'dev', ...nextArgs], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  child.on('exit', (code, signal) => {
    signalGroup(children.inngest, 'SIGTERM');
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
  });
  return child;
}

/**
 * Starts `inngest-cli dev` through npx. Its output is held back until the dev server answers, so an
 * offline start prints one line instead of npm's download errors; after that it is shown, prefixed.
 */
async function startInngest(appUrl: string): Promise<void> {
  if (await inngestAnswers()) {
    console.info(`Using the Inngest dev server already running at ${INNGEST_DEV_URL}.`);
    return;
  }
  const args = ['--yes', 'inngest-cli@latest', 'dev', '-u', `${appUrl}/api/inngest`, '--no-discovery'];
  const child = spawn('npx', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    shell: process.platform === 'win32',
  });
  children.inngest = child;
  let up = false;
  const held: string[] = [];
  const show = (line: string) => console.info(`[inngest] ${line}`);
  const onOutput = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        if (up) show(line);
        else if (held.push(line) > MAX_BUFFERED_LINES) held.shift();
      }
    };
  };
  child.stdout?.on('data', onOutput());
  child.stderr?.on('data', onOutput());
  let ended = false;
  const onEnd = (how: string | null) => {
    if (ended) return;
    ended = true;
    if (!stopping) console.warn(up ? STOPPED(how ?? 'it exited') : UNAVAILABLE);
  };
  child.on('error', () => onEnd(null)); // npx itself could not be started.
  child.on('exit', (code, signal) => onEnd(signal ? `killed by ${signal}` : `exit code ${code}`));

  while (!stopping && !ended) {
    if (await inngestAnswers()) {
      up = true;
      for (const line of held.splice(0)) show(line);
      console.info(`Inngest dev server: ${INNGEST_DEV_URL} (runs background syncs for ${appUrl}).`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  if (!children.next) process.exit(130); // Still migrating: nothing else to stop.
  signalGroup(children.inngest, signal);
  signalGroup(children.next, signal);
  // Next's exit handler ends this process; if Next ignored the signal, do not hang forever.
  setTimeout(() => {
    signalGroup(children.inngest, 'SIGKILL');
    signalGroup(children.next, 'SIGKILL');
    process.exit(0);
  }, 10_000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

try {
  await migrate();
} catch (error) {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const appUrl = `http://localhost:${appPort(nextArgs)}`;
children.next = startNext();
await Promise.all([startInngest(appUrl), warmRoutes(appUrl, { stopping: () => stopping })]);
