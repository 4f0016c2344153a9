// Stored keys the vault can no longer decrypt (a key removed from the keyring, an altered row), as the
// user meets them: the state in words on the card, the detail page and Sync now, then Update keys.
import { expect, test, type Page } from '@playwright/test';
import { signUp } from './helpers';
import { connectThroughUi, database, simAccount, type Wallets } from './support';

const WALLETS: Wallets = { spot: { BTC: { free: '0.5', used: '0' } } };
const STATE = 'Credentials need updating — stored keys can no longer be read';

const connectionCard = (page: Page, label: string) => page.getByRole('article', { name: label });

test('keys that no longer decrypt → the state in words, no retry → Update keys → synced again', async ({ page }) => {
  const sql = database();
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);

  // One character of the sealed body changed: the GCM tag no longer matches.
  await sql`update exchange_credentials
    set ciphertext = overlay(ciphertext placing (case when substr(ciphertext, length(ciphertext) - 12, 1) = 'A'
      then 'B' else 'A' end) from length(ciphertext) - 12)
    where connection_id = ${id}`;

  const main = page.getByRole('main');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(main.getByText(STATE).first()).toBeVisible({ timeout: 20_000 });
  await expect(
    page.locator('[data-sonner-toast]').filter({ hasText: 'stored keys can no longer be read' }),
  ).toBeVisible();
  const runs = await sql<{ status: string; attempts: number; error_kind: string }[]>`
    select status, attempts, error_kind from sync_runs where connection_id = ${id} and trigger = 'manual'`;
  expect(runs).toEqual([{ status: 'failed', attempts: 1, error_kind: 'credentials_unreadable' }]);

  // Sync now says so instead of queueing a sync that cannot run (after a reload: the toast above
  // covers the button).
  await page.reload();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(
    page
      .locator('[data-sonner-toast]')
      .filter({ hasText: /Enter the API key again/ })
      .first(),
  ).toBeVisible();

  await page.goto('/exchanges');
  const card = connectionCard(page, 'Binance');
  await expect(card).toContainText('Credentials need updating');
  await expect(card).toContainText(STATE);
  await expect(card.getByRole('link', { name: 'Update keys' })).toBeVisible();

  await page.goto(`/exchanges/${id}`);
  const section = page.locator('#update-keys');
  for (const [name, value] of Object.entries(key.form)) await section.getByLabel(name, { exact: true }).fill(value);
  await section.getByRole('button', { name: 'Update keys' }).click();
  await expect(main.getByText(/^Credentials need updating/)).toHaveCount(0, { timeout: 20_000 });
  await expect(main.getByText(/Synced/).first()).toBeVisible();
});
