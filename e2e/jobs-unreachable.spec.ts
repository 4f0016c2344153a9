// A production server never runs a sync in its own process, whatever happens to Inngest: the built app in
// cloud mode without Inngest's keys (the scheduler cannot call it, events cannot be sent) keeps the clear
// error on Sync now and Sync all, leaves holdings as they were, and says "Scheduled syncs paused" instead
// of a green badge and a next sync that will not come. Its own `next start` of the suite's build, on the
// suite's database and simulator.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, uniqueEmail } from './helpers';
import { shoot } from './shoot';
import { e2ePorts, readE2eState } from './state';
import { connectThroughUi, database, setWallets, simAccount } from './support';

const UNREACHABLE = 'Background sync service is unreachable. Try again in a moment.';
const amountOf = (page: Page, asset: string) => page.getByTestId(`amount-${asset}`);

async function startProductionServer() {
  const port = e2ePorts().app + 6;
  const url = `http://localhost:${port}`;
  const state = readE2eState();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coinsphere-e2e-cloud-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    AUTH_SECRET: randomBytes(33).toString('base64'),
    AUTH_URL: url,
    // The suite's keys: the database's values were written under them.
    ENCRYPTION_KEYS: state.rotationKeys,
    DATABASE_URL: state.databaseUrl,
    DATABASE_POOL_SIZE: '1',
    COINSPHERE_DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: '1',
    EXCHANGE_API_OVERRIDE: state.simulatorUrl,
    ALLOW_EXCHANGE_API_OVERRIDE: '1',
    LIMIT_SIGN_UPS: '10000/3600',
    // Cloud mode (no INNGEST_DEV) with neither INNGEST_EVENT_KEY nor INNGEST_SIGNING_KEY.
  };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  const child = spawn(path.join('node_modules', '.bin', 'next'), ['start', '-p', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited: ${chunks.join('')}`);
    const up = await fetch(`${url}/sign-in`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer: ${chunks.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, stop, output: () => chunks.join('') };
}

test('production with Inngest unreachable: Sync now and Sync all keep the clear error, nothing runs in the app, and each connection says "Scheduled syncs paused"', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const server = await startProductionServer();
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  try {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(uniqueEmail('cloud-unconfigured'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    // Hashing the password on two cores shared with the rest of the suite (a development server beside).
    await expect(page).toHaveURL(/\/$/, { timeout: 60_000 });

    const key = await simAccount('binance', { spot: { BTC: { free: '1', used: '0' } } });
    const id = await connectThroughUi(page, key, 'Cloud Binance');
    await setWallets(key, { spot: { BTC: { free: '9', used: '0' } } });

    await page.goto('/exchanges');
    const card = page.getByRole('article', { name: 'Cloud Binance' });
    await expect(card.getByTestId('connection-status')).toHaveText('Scheduled syncs paused');
    await expect(card).not.toContainText(/Next sync (in|any moment|due)/);
    // The development notice is for `next dev` only.
    await expect(page.getByTestId('jobs-notice')).toHaveCount(0);
    await shoot(page, 'scheduled-syncs-paused');

    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByText(UNREACHABLE)).toBeVisible();
    await page.getByRole('button', { name: 'Sync all' }).click();
    await expect(page.getByText(UNREACHABLE).first()).toBeVisible();

    // Nothing was read or saved in the app's process: the holdings are those read at Connect.
    await page.goto('/');
    await expect(amountOf(page, 'BTC')).toHaveText('1');
    const runs = await database()<{ trigger: string }[]>`select trigger from sync_runs where connection_id = ${id}`;
    expect(runs.map((run) => run.trigger)).toEqual(['connect']);
  } finally {
    await context.close();
    await server.stop();
    await test.info().attach('next start output', { body: server.output(), contentType: 'text/plain' });
  }
});
