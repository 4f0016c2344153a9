import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { getDb } from '@/db';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { refusingUrl, startFakeEventApi } from '@/lib/testing/fixtures';
import { insertHoldings } from '@/lib/testing/prices';
import { withSimulator } from '@/lib/testing/simulator';
import { rowsOf } from '@/lib/sync/sql-rows';
import { forgetInngestProbe } from './inline';
import { refreshPricesInlineIfStale } from './refresh';

// `npm run dev` offline: no Inngest dev server runs the cron, so opening the portfolio refreshes prices.

withTestDatabase({ isolated: true });
let simulator!: ExchangeSimulator;
withSimulator((running) => (simulator = running));
const saved = { dev: process.env.INNGEST_DEV, base: process.env.INNGEST_BASE_URL };
let userId: string;

beforeAll(async () => {
  useTestKeyring();
  simulator.setTickers('kraken', { 'BTC/USD': '60100', 'EUR/USD': '1.25' });
  userId = await createTestUser();
  const kraken = await createTestConnection({ userId, exchangeId: 'kraken' });
  await insertHoldings(userId, kraken, [['BTC', 'spot', '1']]);
});
afterEach(() => {
  process.env.INNGEST_DEV = saved.dev;
  process.env.INNGEST_BASE_URL = saved.base;
  forgetInngestProbe();
});
afterAll(() => {
  if (saved.dev === undefined) delete process.env.INNGEST_DEV;
  if (saved.base === undefined) delete process.env.INNGEST_BASE_URL;
});

async function krakenPrices() {
  const result = await getDb().execute(sql`select asset, usd::text as usd from asset_prices where exchange_id = 'kraken' order by asset`);
  return rowsOf<{ asset: string; usd: string }>(result).map((row) => [row.asset, row.usd]);
}

describe('refreshPricesInlineIfStale', () => {
  it('does nothing while an Inngest dev server answers (its cron refreshes prices)', async () => {
    const devServer = await startFakeEventApi();
    try {
      process.env.INNGEST_DEV = '1';
      process.env.INNGEST_BASE_URL = devServer.url;
      simulator.clearLog();
      await refreshPricesInlineIfStale(userId);
      expect(simulator.log()).toEqual([]);
      expect(await krakenPrices()).toEqual([]);
    } finally {
      await devServer.close();
    }
  });

  it('refreshes the user’s exchanges when no dev server answers, then not again within a minute', async () => {
    process.env.INNGEST_DEV = '1';
    process.env.INNGEST_BASE_URL = await refusingUrl();
    await refreshPricesInlineIfStale(userId);
    expect(await krakenPrices()).toEqual([
      ['BTC', '60100'],
      ['EUR', '1.25'],
    ]);
    simulator.clearLog();
    await refreshPricesInlineIfStale(userId);
    expect(simulator.log()).toEqual([]);
  });

  it('does nothing in cloud mode', async () => {
    delete process.env.INNGEST_DEV;
    process.env.INNGEST_BASE_URL = await refusingUrl();
    await getDb().execute(sql`delete from asset_prices`);
    simulator.clearLog();
    await refreshPricesInlineIfStale(userId);
    expect(simulator.log()).toEqual([]);
  });
});
