// `npm run bench`: measures hot paths and prints JSON. Numbers, not assertions: compare runs by eye or in CI logs.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseKeyring } from '@/lib/vault/keyring';
import { coldLoadBench, syncBench } from './exchanges';
import { machineSpeed } from './machine';
import { openCredentials, sealCredentials } from '@/lib/vault/store';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => void, runs: number): { medianMs: number; minMs: number; maxMs: number } {
  fn(); // warm-up
  const samples = Array.from({ length: runs }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
  const round = (n: number) => Math.round(n * 100) / 100;
  return { medianMs: round(median(samples)), minMs: round(Math.min(...samples)), maxMs: round(Math.max(...samples)) };
}

function vaultBench() {
  const keyring = parseKeyring(`bench:${randomBytes(32).toString('base64')}`);
  const count = 1000;
  const rows = Array.from({ length: count }, () => {
    const owner = { connectionId: randomUUID(), userId: randomUUID(), exchangeId: 'kucoin' };
    const credentials = {
      apiKey: randomBytes(32).toString('hex'),
      secret: randomBytes(32).toString('hex'),
      password: randomBytes(12).toString('base64'),
    };
    return { owner, credentials, ciphertext: '' };
  });
  const encrypt = time(() => {
    for (const row of rows) row.ciphertext = sealCredentials(row.owner, row.credentials, keyring).ciphertext;
  }, 7);
  const decrypt = time(() => {
    for (const row of rows) openCredentials(row.owner, row.ciphertext, keyring);
  }, 7);
  return {
    credentials: count,
    encryptAndFingerprint1000: encrypt,
    decrypt1000: decrypt,
    decryptGoalMs: 50,
    decryptWithinGoal: decrypt.medianMs < 50,
  };
}

const speedBefore = machineSpeed();
const report = {
  node: process.version,
  vault: vaultBench(),
  exchangeLoad: coldLoadBench(),
  exchangeSync: await syncBench(),
  // Imported late: each opens its own database, and the Inngest bench must set its environment first.
  sync: await (async () => {
    const [{ syncBenchmarks }, { SCHEDULE_PAGE_SIZE, PARALLEL_CLAIMS }] = await Promise.all([
      import('./sync'),
      import('@/lib/sync/schedule'),
    ]);
    return syncBenchmarks({ schedulerPageSize: SCHEDULE_PAGE_SIZE, schedulerParallel: PARALLEL_CLAIMS });
  })(),
  retention: await (await import('./retention')).retentionBenchmarks(),
  inngest: await (await import('./inngest')).inngestBenchmarks(),
  prices: await (await import('./prices')).pricesBenchmarks(),
  history: await (await import('./history')).historyBenchmarks(),
  activity: await (await import('./activity')).activityBenchmarks(),
};
const machine = { sha256Chain200kMsBefore: speedBefore, sha256Chain200kMsAfter: machineSpeed() };
console.info(JSON.stringify({ ...report, machine }, null, 2));
