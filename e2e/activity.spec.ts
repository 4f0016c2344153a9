// The activity page as a person uses it: seeded history on two connections, newest first, Newer / Older, every
// filter (and a filtered view is a link), an unexplained reconciliation difference, both exports downloaded and
// read back, and another user who sees none of it. Screenshots at desktop, 375 px and dark.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { expect, test, type Page } from '@playwright/test';
import type { TestActivityEntry } from '@/lib/testing/activity-factory';
import { signUp } from './helpers';
import { connectThroughUi, simAccount } from './support';
import { markImported, seedActivity } from './activity-seed';
import { shoot } from './shoot';

test.describe.configure({ mode: 'serial' });

const at = (iso: string) => new Date(iso);
const TRADES = 50;

/** 50 BTC buys a minute apart (0.5 BTC), the USD they were paid with, a DOT reward. */
function krakenHistory(): TestActivityEntry[] {
  return [
    { externalId: 'k-deposit', kind: 'deposit', occurredAt: at('2026-02-01T09:00:00Z'), asset: 'USD', amount: '40000' },
    ...Array.from({ length: TRADES }, (_, i): TestActivityEntry => ({
      externalId: `k-trade-${String(i + 1).padStart(2, '0')}`,
      kind: 'trade',
      occurredAt: new Date(Date.parse('2026-03-10T12:00:00Z') - i * 60_000),
      asset: 'BTC',
      amount: '0.01',
      counterAsset: 'USD',
      counterAmount: '-600',
      price: '60000',
      feeAsset: 'USD',
      feeAmount: '0.96',
    })),
    { externalId: 'k-reward', kind: 'reward', occurredAt: at('2026-03-15T00:00:00Z'), asset: 'DOT', amount: '0.25' },
  ];
}

const BINANCE_HISTORY: TestActivityEntry[] = [
  {
    externalId: 'b-sell',
    kind: 'trade',
    occurredAt: at('2026-03-20T08:00:00Z'),
    asset: 'ETH',
    amount: '-0.5',
    counterAsset: 'USDT',
    counterAmount: '1500.123456789',
    price: '3000.246913578',
    feeAsset: 'BNB',
    feeAmount: '0.00075',
  },
  {
    externalId: 'b-withdrawal',
    kind: 'withdrawal',
    occurredAt: at('2026-03-21T08:00:00Z'),
    asset: 'ETH',
    amount: '-1',
    feeAsset: 'ETH',
    feeAmount: '0.001',
    network: 'ETH',
    txHash: '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060',
  },
  {
    externalId: 'b-pending',
    kind: 'deposit',
    occurredAt: at('2026-03-22T08:00:00Z'),
    asset: 'USDT',
    amount: '250',
    status: 'pending',
  },
];

const rowIds = (page: Page) =>
  page.locator('tr[data-entry]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-entry')));

async function download(page: Page, name: string): Promise<string[][]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  return parse(await readFile((await file.path())!, 'utf8')) as string[][];
}

let owner: { krakenId: string; binanceId: string };

test('the owner’s activity: newest first, Newer and Older, filters in the URL, an unexplained difference, both exports', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signUp(page);
  await page.goto('/activity');
  await expect(page.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No activity yet' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Connect an exchange' })).toBeVisible();

  // The exchange reports 0.6 BTC; its complete ledger explains 0.5.
  const kraken = await simAccount('kraken', {
    spot: { XXBT: { free: '0.6', used: '0' }, ZUSD: { free: '9952', used: '0' }, DOT: { free: '0.25', used: '0' } },
  });
  const binance = await simAccount('binance', { spot: { ETH: { free: '1', used: '0' } } });
  const krakenId = await connectThroughUi(page, kraken, 'Kraken ledger');
  const binanceId = await connectThroughUi(page, binance, 'Binance');
  owner = { krakenId, binanceId };
  await seedActivity(krakenId, krakenHistory());
  await seedActivity(binanceId, BINANCE_HISTORY);
  await markImported(krakenId, true, at('2026-02-01T09:00:00Z'));

  // Newest first, 50 to a page; Newer is off on the first page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await expect(page.locator('tr[data-entry]')).toHaveCount(50);
  const first = await rowIds(page);
  expect(first).toHaveLength(50);
  expect(first.slice(0, 5)).toEqual(['b-pending', 'b-withdrawal', 'b-sell', 'k-reward', 'k-trade-01']);
  const pages = page.getByRole('navigation', { name: 'Activity pages' });
  await expect(pages.getByText('Newer')).toHaveAttribute('aria-disabled', 'true');
  const row = page.locator('tr[data-entry="b-withdrawal"]');
  await expect(row).toContainText('Withdrawal');
  await expect(row).toContainText('−1 ETH');
  await expect(row).toContainText('0x5c50…2060');
  await expect(page.locator('tr[data-entry="b-pending"]')).toContainText('Pending');
  await shoot(page, 'activity');

  await pages.getByRole('link', { name: 'Older' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.locator('tr[data-entry]')).toHaveCount(5);
  const second = await rowIds(page);
  expect(second).toEqual(['k-trade-47', 'k-trade-48', 'k-trade-49', 'k-trade-50', 'k-deposit']);
  expect(new Set([...first, ...second]).size).toBe(55);
  await expect(pages.getByText('Older')).toHaveAttribute('aria-disabled', 'true');
  await pages.getByRole('link', { name: 'Newer' }).click();
  await expect(page.locator('tr[data-entry]')).toHaveCount(50);
  expect(await rowIds(page)).toEqual(first);

  // Filters: by connection — and its unexplained BTC difference is said.
  await page.getByLabel('Connection', { exact: true }).selectOption({ label: 'Kraken ledger' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(new RegExp(`connection=${krakenId}`));
  const unexplained = page.getByTestId('unexplained-differences');
  await expect(unexplained.getByText(/Unexplained difference/)).toHaveCount(1);
  await expect(unexplained.locator('li[data-asset="BTC"]')).toContainText('Unexplained difference of +0.1 BTC');
  // The Kraken ledger's 52 entries: the first 50 of them on this page.
  await expect(page.locator('tr[data-entry]')).toHaveCount(50);
  expect((await rowIds(page))[0]).toBe('k-reward');
  expect((await rowIds(page)).every((id) => id!.startsWith('k-'))).toBe(true);
  await shoot(page, 'activity-filtered');

  // The connection page puts the balances next to what the ledger adds up to.
  await unexplained.getByRole('link', { name: 'See the reconciliation' }).click();
  const card = page.getByRole('region', { name: 'Reconciliation' });
  await expect(card).toContainText('covers this account’s whole life');
  await expect(card.locator('tr[data-asset="BTC"]')).toContainText('Unexplained difference: +0.1 BTC');
  await expect(card.locator('tr[data-asset="DOT"]')).not.toContainText('Unexplained');
  await page.goBack();

  // By asset (any case), kind and dates, each a link that reopens the same view.
  await page.getByLabel('Asset', { exact: true }).fill('dot');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/asset=dot/);
  await expect(page.locator('tr[data-entry]')).toHaveCount(1);
  expect(await rowIds(page)).toEqual(['k-reward']);
  await page.goto('/activity?kind=withdrawal');
  await expect(page.getByLabel('Kind', { exact: true })).toHaveValue('withdrawal');
  await expect(page.locator('tr[data-entry]')).toHaveCount(1);
  expect(await rowIds(page)).toEqual(['b-withdrawal']);
  await page.getByLabel('Kind', { exact: true }).selectOption({ label: 'All kinds' });
  await page.getByLabel('From', { exact: true }).fill('2026-03-20');
  await page.getByLabel('To', { exact: true }).fill('2026-03-21');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/from=2026-03-20&to=2026-03-21/);
  await expect(page.locator('tr[data-entry]')).toHaveCount(2);
  expect(await rowIds(page)).toEqual(['b-withdrawal', 'b-sell']);
  await page.goto('/activity?kind=reward&connection=' + binanceId);
  await expect(page.getByRole('heading', { name: 'No activity matches these filters' })).toBeVisible();

  // A bad value is named beside its field; nothing breaks.
  await page.goto('/activity?from=2026-02-30');
  await expect(page.getByLabel('From', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('From must be a date such as 2026-03-31.')).toBeVisible();
  await page.goto('/activity?cursor=broken');
  await expect(page.getByText(/This page link is out of date or damaged/)).toBeVisible();

  // Exports: every trade (two pages' worth of the filter), exact, in both formats.
  await page.goto('/activity?kind=trade');
  await expect(page.locator('tr[data-entry]')).toHaveCount(50);
  const [header = [], ...rows] = await download(page, 'Export CSV');
  expect(header.slice(0, 4)).toEqual(['date', 'kind', 'asset', 'amount']);
  expect(rows).toHaveLength(TRADES + 1);
  expect(rows[0]!.slice(0, 9)).toEqual([
    '2026-03-20T08:00:00.000Z',
    'trade',
    'ETH',
    '-0.5',
    'USDT',
    '1500.123456789',
    '3000.246913578',
    'BNB',
    '0.00075',
  ]);
  expect(rows[0]!.slice(9, 13)).toEqual(['1500.123456789', 'USD', 'Binance', 'Binance']);
  expect(rows.at(-1)!.slice(0, 6)).toEqual(['2026-03-10T11:11:00.000Z', 'trade', 'BTC', '0.01', 'USD', '-600']);
  const [koinlyHeader, ...koinly] = await download(page, 'Export for Koinly');
  expect(koinlyHeader).toEqual([
    'Date',
    'Sent Amount',
    'Sent Currency',
    'Received Amount',
    'Received Currency',
    'Fee Amount',
    'Fee Currency',
    'Net Worth Amount',
    'Net Worth Currency',
    'Label',
    'Description',
    'TxHash',
  ]);
  expect(koinly).toHaveLength(TRADES + 1);
  expect(koinly[0]!.slice(0, 10)).toEqual([
    '2026-03-20 08:00:00 UTC',
    '0.5',
    'ETH',
    '1500.123456789',
    'USDT',
    '0.00075',
    'BNB',
    '1500.123456789',
    'USD',
    '',
  ]);
  expect(koinly.at(-1)!.slice(0, 7)).toEqual(['2026-03-10 11:11:00 UTC', '600', 'USD', '0.01', 'BTC', '0.96', 'USD']);
});

test('another user sees none of it: not on the page, not in either export, not the connection', async ({ page }) => {
  expect(owner, 'needs the first test’s owner').toBeDefined();
  // A new session of another user first: nothing of the owner's anywhere.
  await signUp(page);
  await page.goto('/activity');
  await expect(page.getByRole('heading', { name: 'No activity yet' })).toBeVisible();
  await page.goto(`/activity?connection=${owner.krakenId}`);
  await expect(page.locator('tr[data-entry]')).toHaveCount(0);
  await expect(page.getByText('Unexplained difference')).toHaveCount(0);
  for (const query of [`connection=${owner.krakenId}`, 'format=koinly', '']) {
    const response = await page.request.get(`/api/export/activity?${query}`);
    expect(response.status()).toBe(200);
    const [, ...rows] = parse(await response.text()) as string[][];
    expect(rows, query).toEqual([]);
  }
  const theirs = await page.goto(`/exchanges/${owner.krakenId}`);
  expect(theirs?.status()).toBe(404);
});
