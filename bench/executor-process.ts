// The test executor standing in for the Inngest server, in a process of its own as Inngest is in
// production: the end-to-end bench (bench/inngest.ts) starts it so the executor's CPU is not counted
// as the app's. It drives the app's route over HTTP at EXECUTOR_ROUTE_URL and serves the executor's
// control API (tick, runs, reset, cpu) on the address it prints.
import { startTestExecutor } from '@/lib/testing/inngest-executor';

const routeUrl = process.env.EXECUTOR_ROUTE_URL;
if (!routeUrl) throw new Error('EXECUTOR_ROUTE_URL is not set');
const executor = await startTestExecutor({ routeUrl, concurrency: Number(process.env.EXECUTOR_CONCURRENCY ?? 8) });
console.info(`Test executor on ${executor.url}`);
process.once('SIGTERM', () => void executor.close().then(() => process.exit(0)));
