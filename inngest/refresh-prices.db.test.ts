import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { getDb } from '@/db';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { createTestConnections, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { startTestExecutor, type TestExecutor } from '@/lib/testing/inngest-executor';
import { insertHoldings } from '@/lib/testing/prices';
import { withSimulator } from '@/lib/testing/simulator';
import { rowsOf } from '@/lib/sync/sql-rows';

// The real chain: the cron through the test executor, the route handlers, ccxt against the simulator.

withTestDatabase({ isolated: true });
let simulator!: ExchangeSimulator;
withSimulator((running) => (simulator = running));
let executor!: TestExecutor;

beforeAll(async () => {
  useTestKeyring();
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route') });
  simulator.setTickers('binance', { 'BTC/USDT': '60000', 'ETH/USDT': '3000' });
  simulator.setTickers('kraken', { 'BTC/USD': '60100', 'EUR/USD': '1.25' });
  simulator.setTickers('kucoin', { 'BTC/USDT': '60010' });
});
afterAll(async () => {
  await executor?.close();
});
beforeEach(() => executor.reset());

/** `count` more connections of one user on `exchangeId`, each holding some BTC and ETH. */
async function connect(exchangeId: string, count: number, values: { disconnectedAt?: Date } = {}) {
  const userId = await createTestUser();
  const ids = await createTestConnections(
    getDb(),
    Array.from({ length: count }, () => ({ userId, exchangeId, credentials: null, values })),
  );
  for (const id of ids) {
    await insertHoldings(userId, id, [
      ['BTC', 'spot', '0.1'],
      ['ETH', 'spot', '2'],
    ]);
  }
}

/** One cron tick, everything it fans out to, and the simulator's requests meanwhile. */
async function tick() {
  executor.reset();
  simulator.clearLog();
  const cron = await executor.tick('refresh-prices');
  await executor.settled();
  return { cron, requests: simulator.log() };
}

describe('refresh-prices', () => {
  it('sends one ticker request per exchange a minute, whether it has 1 connection or 100', async () => {
    await connect('binance', 1);
    await connect('kraken', 1);
    // KuCoin's only connection was disconnected: no refresh, no request.
    await connect('kucoin', 1, { disconnectedAt: new Date() });
    await tick(); // markets load once per process

    const one = await tick();
    expect(one.cron.status).toBe('completed');
    expect(one.cron.output).toEqual({ exchanges: 2 });
    const runs = executor.runsOf('refresh-exchange-prices');
    expect(runs.map((run) => [run.event.data.exchangeId, run.status])).toEqual([
      ['binance', 'completed'],
      ['kraken', 'completed'],
    ]);
    expect(runs[0]!.output).toMatchObject({ exchangeId: 'binance', ok: true, stored: 2, rejected: [] });
    expect(one.requests.map((r) => `${r.exchange} ${r.path}`).sort()).toEqual([
      'binance /api/v3/ticker/24hr',
      'kraken /0/public/Ticker',
    ]);

    await connect('binance', 99);
    const hundred = await tick();
    expect(hundred.requests.map((r) => `${r.exchange} ${r.path}`).sort()).toEqual([
      'binance /api/v3/ticker/24hr',
      'kraken /0/public/Ticker',
    ]);
    console.info(
      `[bench] price requests per refresh: ${one.requests.length} at 1 connection per exchange, ${hundred.requests.length} at 100 binance connections (2 exchanges)`,
    );

    const prices = await getDb().execute(sql`select exchange_id, asset, usd::text as usd from asset_prices order by 1, 2`);
    expect(rowsOf(prices)).toEqual([
      { exchange_id: 'binance', asset: 'BTC', usd: '60000' },
      { exchange_id: 'binance', asset: 'ETH', usd: '3000' },
      { exchange_id: 'kraken', asset: 'BTC', usd: '60100' },
      { exchange_id: 'kraken', asset: 'EUR', usd: '1.25' },
    ]);
  });

  it('says why in the run when the exchange fails, and keeps the prices', async () => {
    simulator.addPublicFault('kraken', { kind: 'unavailable', pathIncludes: '/Ticker' });
    await tick();
    const kraken = executor.runsOf('refresh-exchange-prices').find((run) => run.event.data.exchangeId === 'kraken')!;
    expect(kraken.status).toBe('completed');
    expect(kraken.output).toMatchObject({ ok: false, error: 'Ticker request failed (ExchangeNotAvailable)' });
    const prices = await getDb().execute(sql`select usd::text as usd from asset_prices where exchange_id = 'kraken' and asset = 'BTC'`);
    expect(rowsOf(prices)).toEqual([{ usd: '60100' }]);
  });
});
