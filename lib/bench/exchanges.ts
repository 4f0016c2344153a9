import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Cold load of one exchange through our loader vs `import('ccxt')`, each in fresh processes. */
export function coldLoadBench(runs = 5) {
  const measure = (mode: 'layer' | 'ccxt') => {
    const samples = Array.from({ length: runs }, () => {
      const out = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--conditions=react-server', 'lib/bench/cold-load.ts', mode],
        { cwd: root, encoding: 'utf8' },
      );
      return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; rssMb: number };
    });
    return {
      medianMs: Math.round(median(samples.map((s) => s.ms))),
      medianRssMb: Math.round(median(samples.map((s) => s.rssMb))),
    };
  };
  return { runs, oneExchangeViaLayer: measure('layer'), importWholeCcxt: measure('ccxt') };
}
