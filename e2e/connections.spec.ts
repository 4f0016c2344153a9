// The original design's manual test cases, automated against the exchange simulator (real ccxt over
// HTTP) and the in-repo test executor (real /api/inngest route). Each test signs up its own user and
// opens its own simulator accounts, so the tests run in parallel.
import { expect, test, type Page, type Request } from '@playwright/test';
import { signUp } from './helpers';
import {
  chooseExchange,
  connectThroughUi,
  database,
  executorSettled,
  fillKey,
  revokeKey,
  setWallets,
  simAccount,
  tick,
  type Wallets,
} from './support';

const WALLETS: Wallets = {
  spot: { BTC: { free: '0.5', used: '0.1' }, ETH: { free: '2', used: '0' } },
  funding: { USDT: { free: '250', used: '5.5' } },
};

const assetRow = (page: Page, asset: string) => page.locator(`tr[data-asset="${asset}"]`).first();
const amountOf = (page: Page, asset: string) => page.getByTestId(`amount-${asset}`);
const connectionCard = (page: Page, label: string) => page.getByRole('article', { name: label });

async function connectionsOf(email: string) {
  const sql = database();
  return sql<{ id: string; label: string; status: string; last_sync_at: Date | null }[]>`
    select c.id, c.label, c.status, c.last_sync_at from exchange_connections c join users u on u.id = c.user_id
    where lower(u.email) = lower(${email}) order by c.created_at`;
}

test('1. Test connection with valid Binance keys reports what it found and saves nothing', async ({ page }) => {
  const { email } = await signUp(page);
  const key = await simAccount('binance', WALLETS);
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, key);
  await page.getByRole('button', { name: 'Test connection' }).click();

  const report = page.getByRole('status').filter({ hasText: /Found 3 assets/ });
  await expect(report).toBeVisible();
  await expect(report).toContainText('spot');
  await expect(report).toContainText('funding');
  expect(await connectionsOf(email)).toEqual([]);
  await page.goto('/exchanges');
  await expect(page.getByRole('button', { name: 'Sync now' })).toHaveCount(0);
});

test('2. Invalid keys get the exchange’s refusal in plain words and nothing is saved', async ({ page }) => {
  const { email } = await signUp(page);
  const key = await simAccount('binance', WALLETS);
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, { ...key, form: { ...key.form, 'API secret': 'not-the-secret-at-all-0000000000000000' } });
  await page.getByRole('button', { name: 'Test connection' }).click();

  // Binance's bad-signature answer is about the secret: said above the buttons and on that field.
  await expect(page.getByTestId('form-alert')).toHaveText('The exchange rejected the secret of this API key.');
  await expect(page.getByLabel('API secret', { exact: true })).toHaveAccessibleDescription(
    /^This secret does not belong to the API key\./,
  );
  // What the user typed stays, to be corrected rather than typed again.
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue(key.apiKey);
  await expect(page.getByLabel('API secret', { exact: true })).toHaveValue('not-the-secret-at-all-0000000000000000');

  await page.getByLabel('API secret', { exact: true }).fill('still-not-the-secret-0000000000000000');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByTestId('form-alert')).toHaveText('The exchange rejected the secret of this API key.');
  expect(await connectionsOf(email)).toEqual([]);
});

test('3–5, 7. Connect: the connection appears, its keys are ciphertext at rest, the holdings are on the portfolio, and no response carries a secret', async ({
  page,
}) => {
  const { email } = await signUp(page);
  const key = await simAccount('binance', WALLETS);

  // Every response body the browser receives from now on, to search for the key material.
  const bodies: Array<Promise<string>> = [];
  page.on('response', (response) => {
    if (response.url().includes('/_next/static/')) return;
    bodies.push(response.text().catch(() => ''));
  });

  const id = await connectThroughUi(page, key, 'Main Binance');
  // 3. The connection appears, synced, with its holdings by wallet.
  await expect(page.getByRole('heading', { name: 'Main Binance', level: 1 })).toBeVisible();
  await expect(page.getByText(/Synced/).first()).toBeVisible();

  await page.goto('/exchanges');
  const card = connectionCard(page, 'Main Binance');
  await expect(card).toBeVisible();
  await expect(card).toContainText('Binance');
  // The badge says the state, the line beside it when: once each.
  await expect(card.getByTestId('connection-status')).toHaveText('Synced');
  await expect(card).toContainText(/Last synced (just now|\d+ min ago)/);
  await expect(card).toContainText(key.apiKey.slice(-4));

  // 4. At rest the credentials are ciphertext: neither the key nor the secret appears in any column.
  const sql = database();
  const [credentials] = await sql<
    Record<string, unknown>[]
  >`select * from exchange_credentials where connection_id = ${id}`;
  expect(credentials).toBeDefined();
  const stored = JSON.stringify(credentials);
  expect(stored).not.toContain(key.apiKey);
  expect(stored).not.toContain(key.secret);
  expect(String(credentials!.ciphertext)).toMatch(/^v1\.[^.]+\.[A-Za-z0-9_-]+$/);
  const [connectionRow] = await sql<Record<string, unknown>[]>`select * from exchange_connections where id = ${id}`;
  expect(JSON.stringify(connectionRow)).not.toContain(key.secret);
  expect(JSON.stringify(connectionRow)).not.toContain(key.apiKey);
  expect((await connectionsOf(email)).map((c) => c.label)).toEqual(['Main Binance']);

  // 5. The first sync put the holdings on the portfolio, with the right amounts.
  await page.goto('/');
  await expect(amountOf(page, 'BTC')).toHaveText('0.6');
  await expect(amountOf(page, 'ETH')).toHaveText('2');
  await expect(amountOf(page, 'USDT')).toHaveText('255.5');
  await assetRow(page, 'USDT').getByRole('button', { name: 'Show sources for USDT' }).click();
  await expect(page.getByText('funding').first()).toBeVisible();

  // 7. No HTML, RSC or JSON response carried the key, the secret or the ciphertext.
  const status = await page.request.get('/api/sync-status');
  bodies.push(status.text());
  const all = await Promise.all(bodies);
  expect(all.length).toBeGreaterThan(5);
  for (const body of all) {
    expect(body).not.toContain(key.apiKey);
    expect(body).not.toContain(key.secret);
    expect(body).not.toContain(String(credentials!.ciphertext));
  }
});

test('6. Sync now after the balances changed shows the new amounts without a reload; a sold-out asset disappears', async ({
  page,
}) => {
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  await connectThroughUi(page, key);
  await expect(assetRow(page, 'ETH')).toBeVisible();

  await setWallets(key, {
    spot: { BTC: { free: '1.25', used: '0' } },
    funding: { USDT: { free: '250', used: '5.5' } },
  });
  // A mark on this document: a reload would lose it (router.refresh() re-renders in place).
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await page.getByRole('button', { name: 'Sync now' }).click();

  await expect(assetRow(page, 'BTC')).toContainText('1.25', { timeout: 20_000 });
  await expect(assetRow(page, 'ETH')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

  await page.goto('/');
  await expect(amountOf(page, 'BTC')).toHaveText('1.25');
  await expect(assetRow(page, 'ETH')).toHaveCount(0);
  await expect(amountOf(page, 'USDT')).toHaveText('255.5');
});

test('8. A scheduled sync (the cron through the test executor) updates last_sync_at and the page', async ({ page }) => {
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);
  const sql = database();
  const [before] = await sql<{ last_sync_at: Date }[]>`select last_sync_at from exchange_connections where id = ${id}`;

  await setWallets(key, { spot: { BTC: { free: '3', used: '0' } } });
  // The connection's page stays open while the scheduler runs.
  await expect(assetRow(page, 'ETH')).toBeVisible();
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  // Due now, as if its interval had passed.
  await sql`update exchange_connections set next_sync_at = now() - interval '1 minute' where id = ${id}`;
  const cron = await tick('schedule-syncs');
  expect(cron.status).toBe('completed');

  // The user comes back to the tab: the status is asked again at once and the page updates in place.
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await expect(assetRow(page, 'BTC')).toContainText('3', { timeout: 15_000 });
  await expect(assetRow(page, 'ETH')).toHaveCount(0);
  await expect(page.getByTestId('sync-history').locator('li').first()).toContainText('Scheduled');
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

  const [after] = await sql<{ last_sync_at: Date; status: string }[]>`
    select last_sync_at, status from exchange_connections where id = ${id}`;
  expect(after!.status).toBe('active');
  expect(after!.last_sync_at.getTime()).toBeGreaterThan(before!.last_sync_at.getTime());
  const [run] = await sql<{ trigger: string; status: string }[]>`
    select trigger, status from sync_runs where connection_id = ${id} order by queued_at desc limit 1`;
  expect(run).toEqual({ trigger: 'scheduled', status: 'succeeded' });

  await page.goto('/');
  await expect(amountOf(page, 'BTC')).toHaveText('3');
});

test('9. Disconnect with “remove holdings” and with “keep holdings”', async ({ page }) => {
  const { email } = await signUp(page);
  const removed = await simAccount('binance', { spot: { BTC: { free: '1', used: '0' } } });
  const kept = await simAccount('kraken', { spot: { XETH: { free: '4', used: '0' } } });
  const removedId = await connectThroughUi(page, removed, 'To remove');
  const keptId = await connectThroughUi(page, kept, 'To keep');

  for (const [id, choice] of [
    [removedId, /Remove its holdings/],
    [keptId, /Keep its holdings/],
  ] as const) {
    await page.goto(`/exchanges/${id}`);
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: choice }).check();
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    await expect(page).toHaveURL(/\/exchanges$/);
  }

  await page.goto('/');
  await expect(assetRow(page, 'BTC')).toHaveCount(0);
  await expect(amountOf(page, 'ETH')).toHaveText('4');
  await assetRow(page, 'ETH').getByRole('button', { name: 'Show sources for ETH' }).click();
  await expect(page.getByRole('main').getByText('Frozen').first()).toBeVisible();

  const sql = database();
  const credentials = await sql`select 1 from exchange_credentials where connection_id in ${sql([removedId, keptId])}`;
  expect(credentials).toHaveLength(0);
  const rows = await connectionsOf(email);
  expect(rows.map((row) => row.status)).toEqual(['disabled', 'disabled']);
  const history = await sql`select 1 from balance_history where connection_id in ${sql([removedId, keptId])}`;
  expect(history.length).toBeGreaterThan(0);

  await page.goto('/exchanges');
  await expect(connectionCard(page, 'To remove')).toHaveCount(0);
  const keptCard = connectionCard(page, 'To keep');
  await expect(keptCard.getByTestId('connection-status')).toHaveText('Disconnected');
  // Its next-sync line says there is none (the badge already says it is disconnected).
  await expect(keptCard).toContainText('No further syncs');
  await expect(keptCard).not.toContainText('Holdings kept');
});

test('10. Ten rapid Sync now clicks: one run at a time, holdings correct, no error', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);
  await setWallets(key, { spot: { BTC: { free: '7', used: '0' } } });

  // The button disables itself while its run is pending; the same action is also fired ten times at
  // once straight from the browser (what a double-clicking user or a flaky network can do).
  const actionRequest = page.waitForRequest(
    (request) => request.method() === 'POST' && !!request.headers()['next-action'],
  );
  const button = page.getByRole('button', { name: 'Sync now' });
  await button.click();
  // While its run is pending the button is disabled: the other nine clicks do nothing.
  await expect(button).toBeDisabled();
  await expect(button).toHaveAttribute('aria-busy', 'true');
  for (let i = 0; i < 9; i++) await button.click({ force: true, noWaitAfter: true, timeout: 1_000 }).catch(() => {});
  const replay = await actionRequest;
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      page.request.post(replay.url(), { headers: replayHeaders(replay), data: replay.postData() ?? '' }),
    ),
  );
  for (const answer of answers) {
    expect(answer.status()).toBe(200);
    expect(await answer.text()).not.toMatch(/Something went wrong|unreachable/);
  }

  await executorSettled();
  const sql = database();
  // A run queued while the previous one was still finishing is skipped by Inngest's one-run-per-
  // connection rule and stays queued; Sync now becomes available again and sends it once more.
  const stuck = await sql`select 1 from sync_runs where connection_id = ${id} and status = 'queued'`;
  if (stuck.length > 0) {
    await expect(button).toBeEnabled({ timeout: 45_000 });
    // The finished run may still be answering the executor, which would skip this send as a second run.
    await executorSettled();
    await button.click();
    await expect
      .poll(async () => (await sql`select 1 from sync_runs where connection_id = ${id} and status = 'queued'`).length, {
        timeout: 20_000,
      })
      .toBe(0);
    await executorSettled();
  }
  const runs = await sql<{ status: string; started_at: Date; finished_at: Date }[]>`
    select status, started_at, finished_at from sync_runs where connection_id = ${id} and trigger = 'manual' order by started_at`;
  expect(runs.length).toBeGreaterThan(0);
  expect(runs.length).toBeLessThanOrEqual(11);
  for (const run of runs) expect(run.status).toBe('succeeded');
  // One at a time: no run started before the previous one finished.
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at.getTime());
  }
  await expect(assetRow(page, 'BTC')).toContainText('7', { timeout: 15_000 });
  await expect(button).toBeEnabled();
  // Clicks that land once the run has finished start no second one within Sync now's per-connection
  // limit: those are told when to try again; nothing else may fail.
  await expect(
    page.locator('[data-sonner-toast][data-type="error"]').filter({ hasNotText: /Try again in \d+ s\.$/ }),
  ).toHaveCount(0);
  await page.goto('/');
  await expect(amountOf(page, 'BTC')).toHaveText('7');
  await expect(assetRow(page, 'ETH')).toHaveCount(0);
});

/** The headers a server-action request needs to be sent again (cookies come from the sending context). */
function replayHeaders(request: Request): Record<string, string> {
  const headers = request.headers();
  return Object.fromEntries(
    ['next-action', 'content-type', 'accept', 'next-router-state-tree'].flatMap((name) =>
      headers[name] ? [[name, headers[name]]] : [],
    ),
  );
}

test('11. A revoked key → “Credentials need updating” → Update keys → synced again', async ({ page }) => {
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);
  await revokeKey(key);

  await page.getByRole('button', { name: 'Sync now' }).click();
  const main = page.getByRole('main');
  await expect(main.getByText(/^Credentials need updating/).first()).toBeVisible({ timeout: 20_000 });
  // The failure is also told in a toast, with the action to take.
  await expect(page.locator('[data-sonner-toast]').filter({ hasText: 'rejected this API key' })).toBeVisible();
  await page.goto('/exchanges');
  await expect(connectionCard(page, 'Binance')).toContainText('Credentials need updating');

  const fresh = await simAccount('binance', { spot: { SOL: { free: '12.5', used: '0' } } });
  await page.goto(`/exchanges/${id}`);
  const section = page.locator('#update-keys');
  for (const [name, value] of Object.entries(fresh.form)) await section.getByLabel(name, { exact: true }).fill(value);
  await section.getByRole('button', { name: 'Update keys' }).click();
  await expect(main.getByText(/^Credentials need updating/)).toHaveCount(0, { timeout: 20_000 });
  await expect(main.getByText(/Synced/).first()).toBeVisible();
  await page.goto('/');
  await expect(amountOf(page, 'SOL')).toHaveText('12.5');
  await expect(assetRow(page, 'BTC')).toHaveCount(0);
});

test('13. A second user cannot see, sync, update or disconnect the first user’s connection', async ({
  page,
  browser,
}) => {
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key, 'Private');

  // Capture the first user's own server-action requests without letting them through.
  const captured = new Map<string, Request>();
  let syncNowPressed = false;
  await page.route(`**/exchanges/${id}`, async (route) => {
    const request = route.request();
    if (request.method() !== 'POST' || !request.headers()['next-action']) return route.continue();
    const body = request.postData() ?? '';
    const kind = body.includes('keepHoldings') ? 'disconnect' : body.includes('label') ? 'update' : 'syncNow';
    // The history card's progress poll posts the same body as Sync now: only the press's request is kept.
    if (kind === 'syncNow') {
      if (syncNowPressed && !captured.has(kind)) captured.set(kind, request);
      return route.continue();
    }
    captured.set(kind, request);
    return route.abort();
  });
  syncNowPressed = true;
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.getByLabel('Label', { exact: true }).fill('Renamed by owner');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page
    .getByRole('dialog')
    .getByRole('radio', { name: /Remove its holdings/ })
    .check();
  await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
  await expect.poll(() => captured.size).toBe(3);
  await executorSettled();

  const sql = database();
  const runsBefore = (await sql`select 1 from sync_runs where connection_id = ${id}`).length;

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUp(otherPage);
  // By URL: the page does not exist for them.
  const response = await otherPage.goto(`/exchanges/${id}`);
  expect(response?.status()).toBe(404);
  expect(await response?.text()).not.toContain('Private');
  // Without a session the status route answers nothing at all.
  expect((await fetch(new URL('/api/sync-status', otherPage.url()))).status).toBe(401);
  await expect(otherPage.getByText('Private')).toHaveCount(0);
  await otherPage.goto('/exchanges');
  await expect(otherPage.getByText('Private')).toHaveCount(0);
  const status = await otherPage.request.get('/api/sync-status');
  expect(await status.text()).not.toContain(id);

  // By replaying the first user's requests with the second user's session.
  for (const [kind, request] of captured) {
    const answer = await otherPage.request.post(request.url(), {
      headers: replayHeaders(request),
      data: request.postData() ?? '',
    });
    expect(answer.status(), kind).toBe(200);
    expect(await answer.text(), kind).toContain('Connection not found.');
  }
  await executorSettled();
  const [row] = await sql<{ label: string; status: string; disconnected_at: Date | null }[]>`
    select label, status, disconnected_at from exchange_connections where id = ${id}`;
  expect(row).toEqual({ label: 'Private', status: 'active', disconnected_at: null });
  expect((await sql`select 1 from sync_runs where connection_id = ${id}`).length).toBe(runsBefore);
  expect((await sql`select 1 from holdings where connection_id = ${id}`).length).toBeGreaterThan(0);
  await other.close();
});

test('14. Key policy: a key that can withdraw is refused with how to make a read-only one; a trading key needs “I understand”; the same key twice is refused with its label', async ({
  page,
}) => {
  const { email } = await signUp(page);

  const withdrawing = await simAccount('binance', WALLETS, { withdraw: true, trade: true });
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, withdrawing);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const alert = page.getByTestId('form-alert');
  await expect(alert).toContainText('This API key can withdraw funds, so Coinsphere will not store it.');
  // How to make a read-only key is the API key field's help, right there: the refusal does not repeat it.
  await expect(alert).not.toContainText('Enable Reading');
  await expect(page.getByText(/Enable Reading/)).toHaveCount(1);
  await fillKey(page, withdrawing);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(alert).toContainText('can withdraw funds');
  expect(await connectionsOf(email)).toEqual([]);

  const trading = await simAccount('binance', WALLETS, { trade: true });
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, trading);
  await page.getByLabel('Label', { exact: true }).fill('Trading key');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const understand = page.getByRole('checkbox', { name: 'I understand this key can trade' });
  await expect(understand).toBeVisible();
  expect(await connectionsOf(email)).toEqual([]);
  await understand.check();
  await fillKey(page, trading);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page).toHaveURL(/\/exchanges\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  expect((await connectionsOf(email)).map((c) => c.label)).toEqual(['Trading key']);

  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, trading);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByTestId('form-alert')).toContainText(
    'This API key is already connected as “Trading key”. A new secret for it goes in that connection’s Update keys.',
  );
  expect(await connectionsOf(email)).toHaveLength(1);
});
