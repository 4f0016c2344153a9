// 12. The connect → holdings → sync flow on the other verified exchanges, each with its own key
// shape: Coinbase's CDP key (key name + EC private key in PEM), Kraken's base64 secret, KuCoin's passphrase.
import { expect, test } from '@playwright/test';
import { signUp } from './helpers';
import { chooseExchange, connectThroughUi, fillKey, revokeKey, setWallets, simAccount, type Wallets } from './support';
import type { SimExchangeId } from '@/lib/testing/exchange-simulator/types';

interface Case {
  exchange: SimExchangeId;
  name: string;
  wallets: Wallets;
  /** Asset → the amount the portfolio shows after the first sync. */
  expected: Record<string, string>;
  changed: Wallets;
  expectedAfter: Record<string, string>;
  gone: string;
}

const cases: Case[] = [
  {
    exchange: 'coinbase',
    name: 'Coinbase',
    wallets: { spot: { BTC: { free: '0.5', used: '0.1' }, ETH: { free: '1.23456789', used: '0' } } },
    expected: { BTC: '0.6', ETH: '1.23456789' },
    changed: { spot: { BTC: { free: '0.75', used: '0' } } },
    expectedAfter: { BTC: '0.75' },
    gone: 'ETH',
  },
  {
    exchange: 'kraken',
    name: 'Kraken',
    wallets: { spot: { XXBT: { free: '0.25', used: '0' }, XETH: { free: '3', used: '0' } } },
    expected: { BTC: '0.25', ETH: '3' },
    changed: { spot: { XXBT: { free: '0.5', used: '0' } } },
    expectedAfter: { BTC: '0.5' },
    gone: 'ETH',
  },
  {
    exchange: 'kucoin',
    name: 'KuCoin',
    wallets: {
      trade: { BTC: { free: '0.5', used: '0.125' }, USDT: { free: '1000.00000001', used: '0' } },
      main: { USDT: { free: '10', used: '0.5' } },
    },
    expected: { BTC: '0.625', USDT: '1,010.50000001' },
    changed: { trade: { BTC: { free: '2', used: '0' } }, main: {} },
    expectedAfter: { BTC: '2' },
    gone: 'USDT',
  },
];

for (const c of cases) {
  test(`12. ${c.name}: test, connect, holdings, Sync all, revoked key → Update keys, disconnect`, async ({ page }) => {
    await signUp(page);
    const key = await simAccount(c.exchange, c.wallets);

    await page.goto('/exchanges/new');
    await chooseExchange(page, c.exchange);
    if (c.exchange === 'kucoin') await expect(page.getByLabel('Passphrase', { exact: true })).toBeVisible();
    else await expect(page.getByLabel('Passphrase', { exact: true })).toHaveCount(0);
    await fillKey(page, key);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: `Found ${Object.keys(c.expected).length} assets` }),
    ).toBeVisible();

    const id = await connectThroughUi(page, key);
    await expect(page.getByRole('heading', { name: c.name, level: 1 })).toBeVisible();

    await page.goto('/');
    for (const [asset, amount] of Object.entries(c.expected)) {
      await expect(page.getByTestId(`amount-${asset}`)).toHaveText(amount);
    }

    // Sync all from the portfolio: the page updates in place when the run ends.
    await setWallets(key, c.changed);
    await page.getByRole('button', { name: 'Sync all' }).click();
    // Waited for generously: the run goes through the executor while the other worker's test may hold both
    // cores (a `next dev` compile in dev-server-logs.spec.ts).
    for (const [asset, amount] of Object.entries(c.expectedAfter)) {
      await expect(page.getByTestId(`amount-${asset}`)).toHaveText(amount, { timeout: 45_000 });
    }
    await expect(page.locator(`tr[data-asset="${c.gone}"]`)).toHaveCount(0);

    // The key is revoked: the connection asks for new keys; new keys bring it back.
    await revokeKey(key);
    await page.goto(`/exchanges/${id}`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    const main = page.getByRole('main');
    await expect(main.getByText(/^Credentials need updating/).first()).toBeVisible({ timeout: 20_000 });
    const fresh = await simAccount(c.exchange, c.changed);
    const section = page.locator('#update-keys');
    for (const [name, value] of Object.entries(fresh.form)) await section.getByLabel(name, { exact: true }).fill(value);
    await section.getByRole('button', { name: 'Update keys' }).click();
    await expect(main.getByText(/^Credentials need updating/)).toHaveCount(0, { timeout: 20_000 });

    // Disconnect, removing its holdings: the portfolio is empty again.
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page
      .getByRole('dialog')
      .getByRole('radio', { name: /Remove its holdings/ })
      .check();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await expect(page).toHaveURL(/\/exchanges$/);
    await page.goto('/');
    await expect(page.getByText('No exchanges connected yet')).toBeVisible();
  });
}
