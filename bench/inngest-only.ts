// The end-to-end Inngest bench alone (bench/inngest.ts), without the rest of `npm run bench`:
// DATABASE_URL=postgres://… npx tsx --conditions=react-server bench/inngest-only.ts
// BENCH_CPU_PROFILE=<file> writes a CPU profile of each measured tick to <file>.0, <file>.1, <file>.2 (V8's
// .cpuprofile format, for Chrome DevTools).
import { inngestBenchmarks } from './inngest';
import { machineSpeed } from './machine';

const speedBefore = machineSpeed();
const inngest = await inngestBenchmarks();
const machine = { sha256Chain200kMsBefore: speedBefore, sha256Chain200kMsAfter: machineSpeed() };
console.info(JSON.stringify({ inngest, machine }, null, 2));
