// A Kraken account's history as a person meets it: Connect, the import's progress on the connection page until it
// is done, the reconciliation with nothing unexplained, the activity page filtered, both exports, and another user
// who sees none of it. Real path: the app, the test executor running import-history, ccxt, the simulator's Ledgers.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { expect, test, type Page } from '@playwright/test';
import { seedHistory } from '@/lib/testing/history-seed';
import { signUp } from './helpers';
import { connectThroughUi, injectFault, setHistory, simAccount } from './support';

const KRAKEN_CODES: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', USD: 'ZUSD' };

async function download(page: Page, name: string): Promise<string[][]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  return parse(await readFile((await file.path())!, 'utf8')) as string[][];
}

test('Connect Kraken: its history imports with visible progress, the activity page filters it, both exports; another user sees none', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const { events, balances } = seedHistory({
    seed: 5,
    count: 60,
    from: Date.parse('2024-03-05T00:00:00Z'),
    to: Date.now() - 3_600_000,
    quote: 'USD',
    bases: ['BTC', 'ETH'],
    kinds: ['reward'],
    idPrefix: `e2e-${randomBytes(4).toString('hex')}`,
  });
  const spot = Object.fromEntries(
    Object.entries(balances).map(([asset, amount]) => [KRAKEN_CODES[asset] ?? asset, { free: amount, used: '0' }]),
  );
  const key = await simAccount('kraken', { spot });
  await setHistory(key, events);
  // The first ledger page answers after 4 s (within the test server's 6 s exchange timeout), so the import is seen
  // running.
  await injectFault(key, { kind: 'delay', delayMs: 4_000, pathIncludes: '/Ledgers', remaining: 1 });
  const deposits = events.filter((event) => event.kind === 'deposit').length;

  await signUp(page);
  const connectionId = await connectThroughUi(page, key, 'Kraken history');
  const history = page.getByRole('region', { name: 'Transaction history' });
  await expect(history.getByText(/^Importing history — /)).toBeVisible({ timeout: 20_000 });
  await expect(history.getByText(`History imported — back to March 2024, ${events.length} entries`)).toBeVisible({
    timeout: 60_000,
  });
  // Kraken's ledger covers the account's whole life, and this history explains every balance.
  await page.reload();
  const reconciliation = page.getByRole('region', { name: 'Reconciliation' });
  await expect(reconciliation).toContainText('covers this account’s whole life');
  await expect(reconciliation.locator('tr[data-asset="BTC"]')).toBeVisible();
  await expect(page.getByText('Unexplained difference')).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
  await page.getByLabel('Connection', { exact: true }).selectOption({ label: 'Kraken history' });
  await page.getByLabel('Kind', { exact: true }).selectOption('deposit');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(new RegExp(`connection=${connectionId}`));
  await expect(page.locator('tr[data-entry]')).toHaveCount(deposits);

  const [header = [], ...rows] = await download(page, 'Export CSV');
  expect(header.slice(0, 4)).toEqual(['date', 'kind', 'asset', 'amount']);
  expect(rows).toHaveLength(deposits);
  expect(new Set(rows.map((row) => row[1]))).toEqual(new Set(['deposit']));
  const [koinlyHeader = [], ...koinly] = await download(page, 'Export for Koinly');
  expect(koinlyHeader[0]).toBe('Date');
  expect(koinly).toHaveLength(deposits);
  expect(koinly.every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/.test(row[0]!))).toBe(true);

  // Another user: nothing on the page, in either export, or at the connection.
  const other = await browser.newPage();
  try {
    await signUp(other);
    await other.goto('/activity');
    await expect(other.getByRole('heading', { name: 'No activity yet' })).toBeVisible();
    for (const query of [`connection=${connectionId}`, `format=koinly&connection=${connectionId}`]) {
      const [, ...theirs] = parse(await (await other.request.get(`/api/export/activity?${query}`)).text()) as string[][];
      expect(theirs, query).toEqual([]);
    }
    expect((await other.goto(`/exchanges/${connectionId}`))?.status()).toBe(404);
  } finally {
    await other.close();
  }
});
