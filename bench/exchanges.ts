import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(import.meta.dirname, '..');

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
        ['--import', 'tsx', '--conditions=react-server', 'bench/cold-load.ts', mode],
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

type VerifiedId = 'binance' | 'coinbase' | 'kraken' | 'kucoin';

/**
 * Against the exchange simulator: requests per balance sync (cold: with the shared market load;
 * warm: markets already shared) and, with ccxt's rate limiter off, balance reads per second.
 */
export async function syncBench(readsPerExchange = 30) {
  const { generateKeyPairSync, randomBytes } = await import('node:crypto');
  const { startSimulator } = await import('@/lib/testing/exchange-simulator/server');
  const { createExchangeClient, clearSharedMarkets } = await import('@/lib/exchanges/client');
  const { adapters } = await import('@/lib/exchanges/adapters');
  const { fetchBalances } = await import('@/lib/exchanges/balances');

  const { setDatabaseHandle } = await import('@/db');
  const { openDatabase } = await import('@/db/client');
  const { migrateDatabase } = await import('@/db/migrate');

  // Every request draws from the per-exchange budget, kept in the database: a throw-away one here,
  // with room for every read this bench makes.
  const database = openDatabase({ pgliteDir: 'memory://' });
  await migrateDatabase(database);
  setDatabaseHandle(database);
  const previousBudget = process.env.EXCHANGE_BUDGET_DEFAULT;
  process.env.EXCHANGE_BUDGET_DEFAULT = '1000000/60';
  const simulator = await startSimulator();
  process.env.EXCHANGE_API_OVERRIDE = simulator.url;
  const ecPem = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  const accounts: Record<VerifiedId, { apiKey: string; secret: string; password?: string; wallets: object }> = {
    binance: {
      apiKey: 'bench-binance',
      secret: 'bench-secret',
      wallets: { spot: { BTC: { free: '1.5', used: '0' } } },
    },
    kraken: {
      apiKey: 'bench-kraken',
      secret: randomBytes(64).toString('base64'),
      wallets: { spot: { XXBT: { free: '1.5', used: '0' } } },
    },
    kucoin: {
      apiKey: 'bench-kucoin',
      secret: 'bench-secret',
      password: 'bench-pass',
      wallets: { trade: { BTC: { free: '1.5', used: '0' } } },
    },
    coinbase: {
      apiKey: 'organizations/bench/apiKeys/bench',
      secret: ecPem,
      wallets: { spot: { BTC: { free: '1.5', used: '0' } } },
    },
  };
  const results: Record<string, unknown> = {};
  try {
    for (const [id, account] of Object.entries(accounts) as [VerifiedId, (typeof accounts)[VerifiedId]][]) {
      simulator.addAccount({
        exchange: id,
        apiKey: account.apiKey,
        secret: account.secret,
        passphrase: account.password,
        wallets: account.wallets as never,
      });
      const credentials = { apiKey: account.apiKey, secret: account.secret, password: account.password };
      clearSharedMarkets();
      simulator.clearLog();
      await fetchBalances({ exchangeId: id, credentials });
      const cold = simulator.log({ exchange: id }).length;
      simulator.clearLog();
      await fetchBalances({ exchangeId: id, credentials });
      const warm = simulator.log({ exchange: id }).length;

      const start = performance.now();
      for (let i = 0; i < readsPerExchange; i++) {
        const client = await createExchangeClient(id, credentials, { enableRateLimit: false });
        await adapters[id]!.fetchBalances(client);
      }
      const seconds = (performance.now() - start) / 1000;
      results[id] = {
        requestsPerSyncCold: cold,
        requestsPerSyncWarm: warm,
        balanceReadsPerSecondRateLimitOff: Math.round((readsPerExchange / seconds) * 10) / 10,
      };
    }
  } finally {
    delete process.env.EXCHANGE_API_OVERRIDE;
    if (previousBudget === undefined) delete process.env.EXCHANGE_BUDGET_DEFAULT;
    else process.env.EXCHANGE_BUDGET_DEFAULT = previousBudget;
    await simulator.close();
    setDatabaseHandle(undefined);
    await database.close();
  }
  return results;
}
