// What the portfolio is worth, as a person sees it: the total after syncs at different prices, the chart, the
// display currency, the CSV exports (and that another user's holdings are never in them), and screenshots.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { expect, test, type Page } from '@playwright/test';
import { signUp } from './helpers';
import { connectThroughUi, database, setWallets, simAccount, tick } from './support';
import { shoot } from './shoot';
import { readE2eState } from './state';

test.describe.configure({ mode: 'serial' });


/** The simulated exchange's last prices (kraken: EUR/USD gives the EUR rate). Other symbols lose theirs. */
async function setKrakenTickers(prices: Record<string, string>) {
  const response = await fetch(`${readE2eState().simulatorUrl}/_sim/tickers/kraken`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(prices),
  });
  expect(response.ok).toBe(true);
}

/** What the refresh-prices cron does every minute, now. */
async function refreshPrices() {
  const run = await tick('refresh-prices');
  expect(run.status).toBe('completed');
}

const valueRegion = (page: Page) => page.getByRole('region', { name: 'Portfolio value' });

async function downloadCsv(page: Page, button: string): Promise<string[][]> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: button }).click(),
  ]);
  const file = await download.path();
  return parse(await readFile(file, 'utf8')) as string[][];
}

async function setDisplayCurrency(page: Page, currency: string) {
  await page.goto('/settings');
  await page.getByLabel('Display currency').selectOption(currency);
  await expect(page.getByText(`Values now show in ${currency}.`)).toBeVisible();
}

let owner: { email: string; label: string };

test('the total, its 24 h change and the chart after two syncs at different prices; EUR; Export CSV', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { email } = await signUp(page);
  const label = 'Kraken, "long term"';
  owner = { email, label };
  await setKrakenTickers({ 'BTC/USD': '60000', 'ETH/USD': '3000', 'EUR/USD': '1.25' });
  const key = await simAccount('kraken', {
    spot: { BTC: { free: '0.5', used: '0' }, ETH: { free: '2', used: '0' }, NOPE: { free: '7', used: '0' } },
  });
  const connectionId = await connectThroughUi(page, key, label);
  await refreshPrices();

  await page.goto('/');
  // 0.5 × 60,000 + 2 × 3,000; NOPE has no market anywhere: "No price", never $0, and counted.
  await expect(valueRegion(page).getByTestId('portfolio-total')).toHaveText('$36,000.00');
  await expect(valueRegion(page)).toContainText('1 asset has no price');
  await expect(page.getByTestId('value-NOPE')).toHaveText('No price');
  await expect(page.getByTestId('value-BTC')).toHaveText('$30,000.00');

  // Prices move (BTC +10 %), and a second sync reads a bigger ETH balance.
  await setKrakenTickers({ 'BTC/USD': '66000', 'ETH/USD': '3000', 'EUR/USD': '1.25' });
  await refreshPrices();
  await setWallets(key, {
    spot: { BTC: { free: '0.5', used: '0' }, ETH: { free: '2.5', used: '0' }, NOPE: { free: '7', used: '0' } },
  });
  await page.getByRole('button', { name: 'Sync all' }).click();
  await expect(page.getByTestId('amount-ETH')).toHaveText('2.5', { timeout: 20_000 });
  await page.goto('/');
  await expect(valueRegion(page).getByTestId('portfolio-total')).toHaveText('$40,500.00');

  // The chart: a sync two hours ago (seeded as the sync writes it) at that hour's prices, then the two above.
  const twoHoursAgo = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000);
  const sql = database();
  await sql`insert into balance_history (connection_id, asset, hour, total) values
    (${connectionId}, 'BTC', ${twoHoursAgo}, '0.5'), (${connectionId}, 'ETH', ${twoHoursAgo}, '2'),
    (${connectionId}, 'NOPE', ${twoHoursAgo}, '7')`;
  await sql`insert into price_history (asset, exchange_id, hour, usd) values
    ('BTC', 'kraken', ${twoHoursAgo}, '50000'), ('ETH', 'kraken', ${twoHoursAgo}, '2500')
    on conflict (asset, exchange_id, hour) do update set usd = excluded.usd`;
  await page.goto('/');
  const chart = page.getByTestId('value-chart').first();
  await page.getByRole('button', { name: '24 h', exact: true }).click();
  await expect(page).toHaveURL(/[?&]range=24h/);
  await expect(page.getByRole('button', { name: '24 h', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(chart.locator('svg.recharts-surface')).toBeVisible();
  // Hover: the value at that point. Keyboard: focus the chart, arrow keys walk the points.
  const box = (await chart.locator('svg.recharts-surface').boundingBox())!;
  await page.mouse.move(box.x + box.width - 12, box.y + box.height / 2);
  await expect(chart.getByTestId('chart-readout')).toContainText('$40,500.00');
  await page.mouse.move(0, 0);
  await expect(chart.getByTestId('chart-readout')).toHaveCount(0);
  // Recharts' accessibility layer makes the chart's svg focusable (role application, tab stop).
  await chart.locator('svg[role="application"]').focus();
  await page.keyboard.press('ArrowRight');
  // 0.5 BTC × 50,000 + 2 ETH × 2,500 at that hour's prices.
  await expect(chart.getByTestId('chart-readout')).toContainText('$30,000.00');
  for (const range of ['7 d', '30 d', '1 y', 'All']) {
    await page.getByRole('button', { name: range, exact: true }).click();
    await expect(page.getByRole('button', { name: range, exact: true })).toHaveAttribute('aria-pressed', 'true');
    if (range === '1 y') {
      // A point a day beyond 30 days (each UTC day's last hour). The seeded hour is today's unless this runs
      // before 02:00 UTC: then the year has one point, so the empty state, not a one-point line; else two days.
      const seededToday = twoHoursAgo.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
      await expect(chart).toContainText(
        seededToday
          ? 'Not enough history for the last year yet'
          : 'over the last year: from $30,000.00 to $40,500.00',
      );
    } else {
      await expect(chart.locator('svg.recharts-surface')).toBeVisible();
    }
  }
  const [historyHeader, ...history] = await downloadCsv(page, 'Export history CSV');
  expect(historyHeader).toEqual(['at', 'value', 'currency']);
  expect(history[0]).toEqual([twoHoursAgo.toISOString(), '30000', 'USD']);
  expect(history.at(-1)?.slice(1)).toEqual(['40500', 'USD']);

  // The connection's page has its own chart.
  await page.goto(`/exchanges/${connectionId}?range=24h`);
  await expect(page.getByRole('heading', { name: 'Value over time' })).toBeVisible();
  await expect(page.getByTestId('value-chart').locator('svg.recharts-surface')).toBeVisible();
  await page.goto('/');

  // The per-source breakdown opens from the keyboard.
  const toggle = page.getByRole('button', { name: 'Show sources for BTC' });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const sources = page.getByRole('list', { name: 'Sources of BTC' });
  await expect(sources).toBeVisible();
  await expect(sources).toContainText(label);
  await expect(sources).toContainText('$33,000.00');

  // Sort by name puts BTC, ETH, NOPE in order; by value NOPE (no price) is last either way.
  const order = () =>
    page.locator('tr[data-asset]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-asset')));
  expect(await order()).toEqual(['BTC', 'ETH', 'NOPE']);
  await page.getByRole('button', { name: 'Name', exact: true }).click();
  expect(await order()).toEqual(['BTC', 'ETH', 'NOPE']);

  // Export CSV: the holdings as the page shows them, exact, in USD.
  const [header, ...rows] = await downloadCsv(page, 'Export CSV');
  expect(header).toEqual([
    'asset',
    'wallet',
    'exchange',
    'label',
    'amount',
    'price',
    'value',
    'currency',
    'priced at',
    'price source',
  ]);
  expect(rows.map((row) => row.slice(0, 8))).toEqual([
    ['BTC', 'spot', 'Kraken', label, '0.5', '66000', '33000', 'USD'],
    ['ETH', 'spot', 'Kraken', label, '2.5', '3000', '7500', 'USD'],
    ['NOPE', 'spot', 'Kraken', label, '7', '', '', 'USD'],
  ]);
  expect(rows[0]![9]).toBe('kraken BTC/USD');

  // Display currency: EUR, converted at Kraken's EUR/USD (1.25 USD per EUR).
  await setDisplayCurrency(page, 'EUR');
  await page.goto('/');
  await expect(valueRegion(page).getByTestId('portfolio-total')).toHaveText('€32,400.00');
  await valueRegion(page).getByText('Prices and EUR rate').focus();
  await expect(valueRegion(page).getByRole('tooltip')).toContainText('kraken');
  const [, ...euroRows] = await downloadCsv(page, 'Export CSV');
  expect(euroRows.map((row) => [row[0], row[6], row[7]])).toEqual([
    ['BTC', '26400', 'EUR'],
    ['ETH', '6000', 'EUR'],
    ['NOPE', '', 'EUR'],
  ]);

  // Screenshots for reviewers: desktop, 375 px (no horizontal scroll), dark.
  await page.getByRole('button', { name: 'Show sources for BTC' }).click();
  await shoot(page, 'portfolio-value');
});

test('another user’s export never holds the first user’s holdings', async ({ page }) => {
  await signUp(page);
  const key = await simAccount('kraken', { spot: { ETH: { free: '1.5', used: '0' } } });
  await connectThroughUi(page, key, 'Second user');
  await page.goto('/');
  const [, ...rows] = await downloadCsv(page, 'Export CSV');
  expect(rows.map((row) => [row[0], row[3], row[4]])).toEqual([['ETH', 'Second user', '1.5']]);
  const text = JSON.stringify(rows);
  expect(text).not.toContain(owner.label);
  // Straight to the route, too: the session decides whose rows, nothing in the request can.
  const body = await (await page.request.get('/api/export/holdings')).text();
  expect(body).not.toContain('long term');
  const sql = database();
  const [row] = await sql<{ count: string }[]>`select count(*)::text as count from holdings h
    join users u on u.id = h.user_id where lower(u.email) = lower(${owner.email})`;
  expect(Number(row?.count)).toBe(3);
});

test('honest status: "Last synced" is the oldest exchange’s sync, and a failing or overdue one’s holdings say so', async ({
  page,
}) => {
  await signUp(page);
  const fresh = await simAccount('kraken', { spot: { ETH: { free: '1', used: '0' } } });
  const stale = await simAccount('kraken', { spot: { BTC: { free: '0.1', used: '0' } } });
  const freshId = await connectThroughUi(page, fresh, 'Fresh one');
  const staleId = await connectThroughUi(page, stale, 'Stale one');
  await page.goto('/');
  // (Connecting can take a minute on a busy machine.)
  await expect(page.getByTestId('portfolio-freshness')).toContainText(/Last synced (just now|\d+ min ago)/);
  await expect(page.getByText(/Not current/)).toHaveCount(0);

  // One exchange last synced 3 hours ago and its syncs now fail (as the sync records it); the other is fresh.
  const sql = database();
  await sql`update exchange_connections set status = 'error', consecutive_failures = 3,
    last_success_at = now() - interval '3 hours' where id = ${staleId}`;
  await page.goto('/');
  await expect(page.getByTestId('portfolio-freshness')).toContainText('Last synced 3 hours ago');
  await expect(page.getByTestId('portfolio-freshness')).toContainText('1 exchange is not current');
  await expect(page.locator('tr[data-asset="BTC"]')).toContainText('Not current');
  await expect(page.locator('tr[data-asset="ETH"]')).not.toContainText('Not current');
  await page.getByRole('button', { name: 'Show sources for BTC' }).click();
  await expect(page.getByRole('list', { name: 'Sources of BTC' })).toContainText('Not current: sync failing');

  // Healthy again but its scheduled sync is long overdue (5-minute interval, last success 3 hours ago).
  await sql`update exchange_connections set status = 'active', consecutive_failures = 0 where id = ${staleId}`;
  await page.goto('/');
  await page.getByRole('button', { name: 'Show sources for BTC' }).click();
  await expect(page.getByRole('list', { name: 'Sources of BTC' })).toContainText('Not current: sync overdue');
  await expect(page.locator(`[data-connection="${freshId}"]`)).not.toContainText('Not current');
});
