// axe on every page and the states people meet on it, in light and dark mode: zero violations of
// WCAG 2.0/2.1 A and AA, plus Label in Name (axe files it as experimental, so it is switched on here).
// A screenshot of each checked state lands in test-results/screenshots/a11y-<state>-<scheme>.png.
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openAccountMenu, signUp } from './helpers';
import { chooseExchange, connectThroughUi, fillKey, revokeKey, simAccount, type SimKey } from './support';
import { markImported, seedActivity } from './activity-seed';
import type { SimExchangeId } from '@/lib/testing/exchange-simulator/types';

const DIR = path.join('test-results', 'screenshots');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Transitions (dialogs and menus fading in) would be measured half-way: colour contrast reads them wrong. */
async function settle(page: Page) {
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
}

/** The violations, one readable line per failing element, so a failure says what and where. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .options({
      runOnly: { type: 'tag', values: TAGS },
      rules: { 'label-content-name-mismatch': { enabled: true } },
    })
    .analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.id} (${violation.impact}): ${node.target.join(' ')} — ${node.failureSummary ?? ''}`,
    ),
  );
}

/** Checks the page as it is now in light and in dark mode; soft, so one run lists every state that fails. */
async function check(page: Page, state: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await settle(page);
    await page.screenshot({ path: path.join(DIR, `a11y-${state}-${scheme}.png`) });
    expect.soft(await violations(page), `${state} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('signed out: sign-in, sign-up with field errors, a refused sign-in, 404', async ({ page }) => {
  await page.goto('/sign-in');
  await check(page, 'sign-in');
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('form-alert')).toBeVisible();
  await check(page, 'sign-in-refused');

  await page.goto('/sign-up');
  await check(page, 'sign-up');
  await page.getByLabel('Email').fill('not an email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await check(page, 'sign-up-errors');

  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'We could not find that page' })).toBeVisible();
  await check(page, 'not-found');
});

test('a new account: empty portfolio and exchanges, the connect form in every state, settings, the account menu', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page);
  await check(page, 'portfolio-empty');
  await openAccountMenu(page);
  await expect(page.getByRole('menu')).toBeVisible();
  await check(page, 'account-menu');
  await page.keyboard.press('Escape');

  await page.goto('/exchanges');
  await check(page, 'exchanges-empty');

  await page.goto('/exchanges/new');
  await check(page, 'connect');
  const combobox = page.getByRole('combobox', { name: 'Exchange' });
  await combobox.click();
  await expect(page.getByRole('listbox')).toBeVisible();
  await check(page, 'connect-picker-open');
  await combobox.fill('zzzz');
  await check(page, 'connect-picker-no-match');
  await page.keyboard.press('Escape');

  for (const exchange of ['coinbase', 'kraken', 'kucoin', 'binance'] satisfies SimExchangeId[]) {
    await page.goto('/exchanges/new');
    await chooseExchange(page, exchange);
    await check(page, `connect-${exchange}`);
  }

  // Connect with nothing typed: every field says what it needs.
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByLabel('API key', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await check(page, 'connect-field-errors');

  // A key the exchange refuses: the form's own error.
  const key = await simAccount('binance', { spot: { BTC: { free: '0.5', used: '0' } } });
  await fillKey(page, { ...key, form: { ...key.form, 'API secret': 'f'.repeat(64) } } satisfies SimKey);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('form-alert')).toBeVisible({ timeout: 20_000 });
  await check(page, 'connect-refused');

  await page.goto('/settings');
  await check(page, 'settings');

  await page.goto('/exchanges/no-such-connection');
  await check(page, 'connection-not-found');
});

test('with holdings: portfolio, exchanges with a failing connection, connection page, update keys, disconnect', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page);
  const binance = await simAccount('binance', {
    spot: { BTC: { free: '0.5', used: '0.1' }, ETH: { free: '2', used: '0' } },
    funding: { USDT: { free: '2500', used: '5.5' } },
  });
  const kucoin = await simAccount('kucoin', {
    trade: { BTC: { free: '0.01', used: '0' }, KCS: { free: '42', used: '0' } },
  });
  const binanceId = await connectThroughUi(page, binance, 'Binance');
  await expect(page.locator('[data-sonner-toast]').first()).toBeVisible();
  await check(page, 'connection-with-toast');

  await connectThroughUi(page, kucoin, 'KuCoin');
  await revokeKey(kucoin);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(
    page
      .getByRole('main')
      .getByText(/^Credentials need updating/)
      .first(),
  ).toBeVisible({
    timeout: 20_000,
  });
  await check(page, 'connection-needs-update');

  // Update keys with nothing typed: its fields' errors.
  const updateKeys = page.locator('#update-keys');
  await updateKeys.getByRole('button', { name: 'Update keys' }).click();
  await expect(updateKeys.getByLabel('API key', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await check(page, 'update-keys-errors');

  await page.goto('/');
  await expect(page.locator('tr[data-asset="BTC"]').first()).toBeVisible();
  await check(page, 'portfolio');
  await page.getByRole('button', { name: 'Show sources for BTC' }).click();
  await check(page, 'portfolio-sources');

  await page.goto('/exchanges');
  await expect(page.getByRole('article', { name: 'KuCoin' })).toContainText('Credentials need updating');
  await check(page, 'exchanges');

  await page.goto(`/exchanges/${binanceId}`);
  await check(page, 'connection');
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await check(page, 'disconnect-dialog');
});

test('activity: empty, with entries of every kind, filtered with an unexplained difference, a bad filter; the reconciliation', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto('/activity');
  await expect(page.getByRole('heading', { name: 'No activity yet' })).toBeVisible();
  await check(page, 'activity-empty');

  const kraken = await simAccount('kraken', { spot: { XXBT: { free: '0.6', used: '0' } } });
  const connectionId = await connectThroughUi(page, kraken, 'Kraken');
  const day = (n: number) => new Date(Date.UTC(2026, 2, n, 12));
  await seedActivity(connectionId, [
    { kind: 'deposit', occurredAt: day(1), asset: 'BTC', amount: '0.6' },
    {
      kind: 'trade',
      occurredAt: day(2),
      asset: 'BTC',
      amount: '-0.1',
      counterAsset: 'USD',
      counterAmount: '6000',
      feeAsset: 'USD',
      feeAmount: '9.6',
    },
    {
      kind: 'withdrawal',
      occurredAt: day(3),
      asset: 'USD',
      amount: '-5990.4',
      txHash: '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204',
      network: 'ETH',
    },
    { kind: 'reward', occurredAt: day(4), asset: 'DOT', amount: '0.25', status: 'pending' },
    {
      kind: 'other',
      occurredAt: day(5),
      asset: 'KFEE',
      amount: '-1',
      note: 'Unknown ledger type "margin"',
      status: 'failed',
    },
  ]);
  await markImported(connectionId, true, day(1));
  await page.goto('/activity');
  await expect(page.locator('tr[data-entry]')).toHaveCount(5);
  await check(page, 'activity');
  await page.goto(`/activity?connection=${connectionId}`);
  await expect(page.getByTestId('unexplained-differences')).toBeVisible();
  await check(page, 'activity-unexplained');
  await page.goto('/activity?from=2026-02-30&kind=gift');
  await expect(page.getByLabel('Kind', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await check(page, 'activity-bad-filter');
  await page.goto(`/exchanges/${connectionId}`);
  await expect(page.getByRole('region', { name: 'Reconciliation' })).toContainText('Unexplained difference');
  await check(page, 'connection-reconciliation');
});

test('a toast never covers the account menu, at desktop width or at 375 px', async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page);
  for (const [name, size] of [
    ['desktop', { width: 1280, height: 900 }],
    ['375', { width: 375, height: 812 }],
  ] as const) {
    await page.setViewportSize(size);
    const key = await simAccount('binance', { spot: { BTC: { free: '1', used: '0' } } });
    await connectThroughUi(page, key, `Binance ${name}`);
    const toast = page.locator('[data-sonner-toast]').filter({ hasText: `Connected Binance ${name}` });
    await expect(toast).toBeVisible();
    await settle(page);
    const menu = await page.getByRole('button', { name: /account menu/i }).boundingBox();
    const shown = await toast.boundingBox();
    expect(menu && shown).toBeTruthy();
    const overlaps =
      shown!.x < menu!.x + menu!.width &&
      menu!.x < shown!.x + shown!.width &&
      shown!.y < menu!.y + menu!.height &&
      menu!.y < shown!.y + shown!.height;
    await page.screenshot({ path: path.join(DIR, `toast-and-account-menu-${name}.png`) });
    expect(overlaps, `toast ${JSON.stringify(shown)} over the account menu ${JSON.stringify(menu)} at ${name}`).toBe(
      false,
    );
  }
});
