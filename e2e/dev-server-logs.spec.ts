// `npm run dev` must not print what people type into server actions. Next's development server logged every
// server function call with its arguments: sign-up's password, Test connection's API key, secret and whole PEM
// private key. This drives the real development server with canary values and searches everything it printed,
// every body the browser received, what it handed Inngest and its database.
import { expect, test } from '@playwright/test';
import { canary, canaryKey, recordResponses, sweep, type Sink } from './canary';
import { startDevServer } from './dev-server';
import { PASSWORD, uniqueEmail } from './helpers';
import { chooseExchange, fillKey, openSimAccount } from './support';

const WALLETS = { spot: { BTC: { free: '0.5', used: '0.1' } }, funding: { USDT: { free: '250', used: '0' } } };

test('the development server prints no action argument: passwords, API keys, secrets, PEMs', async ({ browser }) => {
  // Including the wait for another spec's development server to stop (one at a time, see dev-server.ts).
  test.setTimeout(900_000);
  const started = Date.now();
  const step = (what: string) =>
    console.info(`[dev sweep] ${what} after ${Math.round((Date.now() - started) / 1000)} s`);
  const dev = await startDevServer();
  const executor = dev.executor!; // Started with one (the default).
  step('next dev serving');
  const context = await browser.newContext({ baseURL: dev.url });
  const page = await context.newPage();
  const responses = recordResponses(page);
  const password = `${canary('PW')} ${PASSWORD}`;
  const binance = await openSimAccount(canaryKey('binance'), WALLETS);
  const coinbase = await openSimAccount(canaryKey('coinbase'), WALLETS);
  let databaseSinks: Sink[] = [];
  try {
    await page.goto('/sign-up', { timeout: 120_000 });
    await page.getByLabel('Email').fill(uniqueEmail('dev-canary'));
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/$/, { timeout: 120_000 });
    step('signed up');

    // Test connection with a PEM key, then with an HMAC key that is connected (its first sync applied at once).
    for (const key of [coinbase, binance]) {
      await page.goto('/exchanges/new', { timeout: 120_000 });
      await chooseExchange(page, key.exchange);
      await fillKey(page, key);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect(page.getByRole('status').filter({ hasText: /Found \d+ assets?/ })).toBeVisible({ timeout: 60_000 });
      step(`tested ${key.exchange}`);
    }
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page).toHaveURL(/\/exchanges\/[0-9a-f-]{36}$/, { timeout: 120_000 });
    step('connected');
  } finally {
    await context.close();
    databaseSinks = await dev.stopAndDump().catch(() => []);
    await test.info().attach('next dev output', { body: dev.output(), contentType: 'text/plain' });
  }

  const sinks: Sink[] = [
    { place: 'next dev stdout+stderr', text: dev.output() },
    ...(await responses.sinks()),
    ...executor.events.map((event) => ({ place: `Inngest event ${event.name}`, text: JSON.stringify(event) })),
    ...executor.runs.map((run) => ({
      place: `Inngest run ${run.functionId}`,
      text: JSON.stringify(run),
    })),
    ...databaseSinks,
  ];
  const report = sweep(sinks, [
    password,
    password.split(' ')[0]!,
    binance.apiKey,
    binance.secret,
    coinbase.apiKey,
    coinbase.secret,
  ]);
  console.info(`[canary sweep, dev] searched ${report.places} places, ${report.bytes} bytes`);
  expect(report.findings).toEqual([]);
  // The capture saw the action calls themselves (next dev logs each request), so an empty capture cannot pass.
  expect(dev.output()).toMatch(/POST \/sign-up/);
  expect(dev.output()).toMatch(/POST \/exchanges\/new/);
  expect(databaseSinks.length).toBeGreaterThan(5);
});
