import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/**
 * A fixed CPU task timed before and after the rest: this machine's speed drifts by ±20% over an hour,
 * so numbers of two runs compare only next to this.
 */
export function machineSpeed(): number {
  let digest = Buffer.alloc(32);
  const start = performance.now();
  for (let i = 0; i < 200_000; i++) digest = createHash('sha256').update(digest).digest();
  return Math.round(performance.now() - start);
}
