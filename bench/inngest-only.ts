// The end-to-end Inngest bench alone (bench/inngest.ts), without the rest of `npm run bench`:
// DATABASE_URL=postgres://… npx tsx --conditions=react-server bench/inngest-only.ts
// BENCH_CPU_PROFILE=<file.cpuprofile> adds a CPU profile of the measured ticks.
import { inngestBenchmarks } from './inngest';

console.info(JSON.stringify(await inngestBenchmarks(), null, 2));
