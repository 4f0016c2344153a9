// The canary sweep: unique canary keys, secrets, passphrases and a PEM go through every flow (test connection
// under every simulator fault, connect and its first sync, Sync now, a scheduled sync, failed syncs, update
// keys, disconnect, rotation with `npm run vault:rotate`), then every place they could leak to is searched:
// the production server's stdout and stderr (`next build` and `next start`), the rotation command's output,
// every HTTP and RSC body the browser received, every event and raw /api/inngest answer the test executor
// saw, and every table of the database. e2e/dev-server-logs.spec.ts does the same for `next dev`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { SimExchangeId } from '@/lib/testing/exchange-simulator/types';
import { canary, canaryKey, dumpDatabase, recordResponses, sweep, type Sink } from './canary';
import { PASSWORD, signUp, uniqueEmail } from './helpers';
import { readE2eState } from './state';
import {
  chooseExchange,
  database,
  executorSettled,
  executorTranscript,
  fillKey,
  injectFault,
  openSimAccount,
  tick,
  type SimKey,
  type Wallets,
} from './support';

const WALLETS: Record<SimExchangeId, Wallets> = {
  binance: { spot: { BTC: { free: '0.5', used: '0.1' } }, funding: { USDT: { free: '250', used: '0' } } },
  kucoin: { trade: { BTC: { free: '0.01', used: '0' }, KCS: { free: '42', used: '0' } } },
  kraken: { spot: { XXBT: { free: '0.125', used: '0' } } },
  coinbase: { spot: { BTC: { free: '0.5', used: '0' } } },
};

/** Every fault the simulator can inject (README, Exchange simulator), each for the next request only. */
const FAULTS = [
  { kind: 'auth' },
  { kind: 'forbidden' },
  { kind: 'rate_limit', retryAfterSeconds: 1 },
  { kind: 'ban', retryAfterSeconds: 1 },
  { kind: 'server_error' },
  { kind: 'bad_gateway' },
  { kind: 'unavailable' },
  { kind: 'gateway_timeout' },
  // Longer than EXCHANGE_TIMEOUT_MS in e2e/server.ts: ccxt's timeout error quotes the signed URL.
  { kind: 'delay', delayMs: 7_000 },
  { kind: 'html' },
  { kind: 'truncated' },
  { kind: 'nonce' },
  { kind: 'clock_skew' },
].map((fault) => ({ ...fault, remaining: 1 }));

/** Clicks and waits for the server action the click calls to answer. */
async function clickForAction(page: Page, button: Locator) {
  const answered = page.waitForResponse(
    (response) => response.request().method() === 'POST' && response.request().headers()['next-action'] !== undefined,
    { timeout: 60_000 },
  );
  await button.click();
  await answered;
}

async function syncNow(page: Page) {
  const button = page.getByRole('button', { name: 'Sync now' });
  await expect(button).toBeEnabled({ timeout: 30_000 });
  await clickForAction(page, button);
  await executorSettled();
}

function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

test('canaries through every flow reach no log, response, Inngest event or step output, or table', async ({ page }) => {
  test.setTimeout(420_000);
  const responses = recordResponses(page);
  const secrets: string[] = [];
  const remember = (key: Omit<SimKey, 'form'>) =>
    secrets.push(key.apiKey, key.secret, ...(key.passphrase ? [key.passphrase] : []));

  const passwordCanary = canary('PW');
  const password = `${passwordCanary} ${PASSWORD}`;
  secrets.push(password, passwordCanary);
  await signUp(page, uniqueEmail('canary'), password);

  // Test connection for every exchange; for an HMAC-query exchange (Binance) and a header-signing one with a
  // passphrase (KuCoin), under every fault too. Then connect: its read becomes the first sync.
  const keys = {} as Record<SimExchangeId, SimKey>;
  const ids = {} as Record<SimExchangeId, string>;
  for (const exchange of ['binance', 'kucoin', 'kraken', 'coinbase'] as const) {
    const key = await openSimAccount(canaryKey(exchange), WALLETS[exchange]);
    remember(key);
    keys[exchange] = key;
    await page.goto('/exchanges/new');
    await chooseExchange(page, exchange);
    await fillKey(page, key);
    await clickForAction(page, page.getByRole('button', { name: 'Test connection' }));
    await expect(page.getByRole('status').filter({ hasText: /The key works/ })).toBeVisible();
    if (exchange === 'binance' || exchange === 'kucoin') {
      for (const fault of FAULTS) {
        await injectFault(key, fault);
        // A refused test clears the secret field: type the key again each time.
        await fillKey(page, key);
        await clickForAction(page, page.getByRole('button', { name: 'Test connection' }));
      }
      await fillKey(page, key);
    }
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page).toHaveURL(/\/exchanges\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    ids[exchange] = new URL(page.url()).pathname.split('/').pop()!;
  }

  // Sync now: a clean one, then failures the sync path stores (last_error) and retries.
  await page.goto(`/exchanges/${ids.binance}`);
  await syncNow(page);
  await page.goto(`/exchanges/${ids.kraken}`);
  await injectFault(keys.kraken, { kind: 'server_error', remaining: 100 });
  await syncNow(page);
  await page.goto(`/exchanges/${ids.kucoin}`);
  await injectFault(keys.kucoin, { kind: 'rate_limit', remaining: 1, retryAfterSeconds: 1 });
  await syncNow(page);
  await page.goto(`/exchanges/${ids.coinbase}`);
  await injectFault(keys.coinbase, { kind: 'html', remaining: 1 });
  await syncNow(page);

  // A refused key (no retry, needs_reauth), then Update keys with a new canary key.
  await page.goto(`/exchanges/${ids.binance}`);
  await injectFault(keys.binance, { kind: 'auth', remaining: 100 });
  await syncNow(page);
  await expect(
    page
      .getByRole('main')
      .getByText(/^Credentials need updating/)
      .first(),
  ).toBeVisible({ timeout: 20_000 });
  const fresh = await openSimAccount(canaryKey('binance'), WALLETS.binance);
  remember(fresh);
  const section = page.locator('#update-keys');
  for (const [name, value] of Object.entries(fresh.form)) await section.getByLabel(name, { exact: true }).fill(value);
  await clickForAction(page, section.getByRole('button', { name: 'Update keys' }));
  await expect(page.getByRole('main').getByText(/^Credentials need updating/)).toHaveCount(0, { timeout: 20_000 });

  // A scheduled sync of every connection still connected.
  const sql = database();
  await sql`update exchange_connections set next_sync_at = now() - interval '1 minute'
    where id in ${sql([ids.binance, ids.kucoin, ids.kraken, ids.coinbase])}`;
  expect((await tick('schedule-syncs')).status).toBe('completed');
  await executorSettled();

  // Disconnect: one keeps its holdings, one removes them.
  for (const [exchange, choice] of [
    ['kraken', /Keep its holdings/],
    ['coinbase', /Remove its holdings/],
  ] as const) {
    await page.goto(`/exchanges/${ids[exchange]}`);
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog').getByRole('radio', { name: choice }).check();
    await clickForAction(page, page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }));
    await expect(page).toHaveURL(/\/exchanges$/);
  }
  await executorSettled();

  // Rotation onto the app's second key, as an operator runs it; then a sync reads the rotated value.
  const state = readE2eState();
  const rotation = await runCommand(
    path.join('node_modules', '.bin', 'tsx'),
    ['--conditions=react-server', 'lib/vault/cli.ts', 'rotate'],
    {
      DATABASE_URL: state.databaseUrl,
      DATABASE_POOL_SIZE: '1',
      ENCRYPTION_KEYS: state.rotationKeys,
      NODE_ENV: 'production',
    },
  );
  expect(rotation.code, rotation.output).toBe(0);
  const [binanceKey] = await sql<
    { key_id: string }[]
  >`select key_id from exchange_credentials where connection_id = ${ids.binance}`;
  expect(binanceKey?.key_id).toBe('e2e2');
  await page.goto(`/exchanges/${ids.binance}`);
  await syncNow(page);
  await expect(
    page
      .getByRole('main')
      .getByText(/Synced/)
      .first(),
  ).toBeVisible({ timeout: 20_000 });

  const health = await page.request.get('/api/health');
  expect(health.status()).toBe(200);
  const healthBody = await health.text();
  expect(JSON.parse(healthBody)).toEqual({ status: 'ok', database: 'ok', jobs: 'dev' });

  const transcript = (await executorTranscript()) as {
    events: unknown[];
    runs: { functionId: string; status: string }[];
  };
  const sinks: Sink[] = [
    {
      place: 'production server stdout+stderr (next build, next start)',
      text: readFileSync(state.serverLogPath, 'utf8'),
    },
    { place: 'npm run vault:rotate output', text: rotation.output },
    { place: 'response GET /api/health', text: healthBody },
    ...(await responses.sinks()),
    ...transcript.events.map((event) => ({ place: 'Inngest event', text: JSON.stringify(event) })),
    ...transcript.runs.map((run) => ({ place: `Inngest run ${run.functionId}`, text: JSON.stringify(run) })),
    ...(await dumpDatabase(sql, 'e2e database')),
  ];
  const report = sweep(sinks, secrets);
  console.info(`[canary sweep, production] searched ${report.places} places, ${report.bytes} bytes`);
  // The sweep looked where the flows wrote: syncs ran through the executor, the server printed its build.
  expect(transcript.runs.filter((run) => run.functionId === 'sync-connection').length).toBeGreaterThanOrEqual(6);
  expect(sinks[0]!.text).toMatch(/Next\.js/);
  expect(report.findings).toEqual([]);
});
