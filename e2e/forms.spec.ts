// The connect and Update keys forms as a person meets them (issue 13: errors in the words of the moment,
// forms and wording), against the exchange simulator. Screenshots of each changed state go to
// test-results/screenshots/form-*.png.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signUp } from './helpers';
import { chooseExchange, connectThroughUi, fillKey, injectFault, simAccount, type Wallets } from './support';

const WALLETS: Wallets = { spot: { BTC: { free: '0.5', used: '0' } } };
const DIR = path.join('test-results', 'screenshots');

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(DIR, `form-${name}.png`), fullPage: true });
const alertOf = (page: Page) => page.getByTestId('form-alert');
const field = (page: Page, name: string) => page.getByLabel(name, { exact: true });
// Sentences written for a background sync, which a form must never use: nothing is retried from a form.
const SYNC_WORDS = /we will try again|resume syncing|try again shortly/i;

test('a rate-limited or unreachable exchange gets a form’s words, and the typed secret stays', async ({ page }) => {
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, key);

  await injectFault(key, { kind: 'rate_limit', remaining: 50, retryAfterSeconds: 120 });
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(alertOf(page)).toHaveText(
    'The exchange is limiting requests right now. Wait 2 minutes, then try again; nothing was saved.',
  );
  // Binance shows a secret once: the form keeps it (in the page only) for the next try.
  await expect(field(page, 'API secret')).toHaveValue(key.secret);
  await expect(field(page, 'API key')).toHaveValue(key.apiKey);
  await shot(page, 'rate-limited');

  const offline = await simAccount('binance', WALLETS);
  await fillKey(page, offline);
  await injectFault(offline, { kind: 'unavailable', remaining: 50 });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(alertOf(page)).toHaveText(
    'The exchange could not be reached or did not answer in time. Nothing was saved; try again in a moment.',
  );
  await expect(alertOf(page)).not.toHaveText(SYNC_WORDS);
  await expect(field(page, 'API secret')).toHaveValue(offline.secret);
  await shot(page, 'unreachable');
});

test('a wrong KuCoin passphrase is said on the passphrase field, and nothing else is blamed', async ({ page }) => {
  await signUp(page);
  const key = await simAccount('kucoin', WALLETS);
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'kucoin');
  await fillKey(page, { ...key, form: { ...key.form, Passphrase: 'not-my-passphrase' } });
  await page.getByRole('button', { name: 'Test connection' }).click();

  await expect(alertOf(page)).toHaveText('The exchange rejected the passphrase of this API key.');
  await expect(field(page, 'Passphrase')).toHaveAttribute('aria-invalid', 'true');
  await expect(field(page, 'Passphrase')).toHaveAccessibleDescription(
    /^This passphrase does not match the API key: use the one you set when creating the key\./,
  );
  await expect(field(page, 'API secret')).toHaveAttribute('aria-invalid', 'false');
  await expect(field(page, 'API key')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByRole('main')).not.toContainText(SYNC_WORDS);
  await shot(page, 'wrong-passphrase');

  // Corrected in place: the secret was kept, only the passphrase is typed again.
  await field(page, 'Passphrase').fill(key.passphrase!);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: /The key works/ })).toBeVisible();
});

test('a wrong secret for a key already connected says so and links to that connection’s Update keys', async ({
  page,
}) => {
  await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);

  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, { ...key, form: { ...key.form, 'API secret': 'a-new-secret-0000000000000000000000' } });
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(alertOf(page)).toContainText(
    'This API key is already connected as “Binance”. A new secret for it goes in that connection’s Update keys.',
  );
  await shot(page, 'already-connected');
  await alertOf(page).getByRole('link', { name: 'Update keys of “Binance”' }).click();
  await expect(page).toHaveURL(new RegExp(`/exchanges/${id}#update-keys$`));
  await expect(page.locator('#update-keys').getByRole('button', { name: 'Update keys' })).toBeVisible();
});

test('Binance’s secret is one line; the PEM box is behind “I use an Ed25519 or RSA key”, in Connect and Update keys', async ({
  page,
}) => {
  await signUp(page);
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  const secret = field(page, 'API secret');
  await expect(secret).toHaveJSProperty('tagName', 'INPUT');
  await expect(secret).toHaveAttribute('type', 'password');
  await expect(page.getByPlaceholder(/-----BEGIN/)).toHaveCount(0);
  await secret.fill('one-line-secret');

  await page.getByRole('checkbox', { name: 'I use an Ed25519 or RSA key' }).check();
  await expect(secret).toHaveJSProperty('tagName', 'TEXTAREA');
  await expect(secret).toHaveAttribute('placeholder', 'Paste the key, including its -----BEGIN and -----END lines');
  // Switching keeps what was typed.
  await expect(secret).toHaveValue('one-line-secret');
  await shot(page, 'binance-pem');
  await page.getByRole('checkbox', { name: 'I use an Ed25519 or RSA key' }).uncheck();
  await expect(secret).toHaveJSProperty('tagName', 'INPUT');

  // Coinbase's secret is always a PEM key: no toggle there.
  await chooseExchange(page, 'coinbase');
  await expect(field(page, 'API secret')).toHaveJSProperty('tagName', 'TEXTAREA');
  await expect(page.getByRole('checkbox', { name: 'I use an Ed25519 or RSA key' })).toHaveCount(0);

  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);
  await page.goto(`/exchanges/${id}`);
  const section = page.locator('#update-keys');
  await expect(section.getByLabel('API secret', { exact: true })).toHaveJSProperty('tagName', 'INPUT');
  await section.getByRole('checkbox', { name: 'I use an Ed25519 or RSA key' }).check();
  await expect(section.getByLabel('API secret', { exact: true })).toHaveJSProperty('tagName', 'TEXTAREA');
});

test('the label hint names the chosen exchange', async ({ page }) => {
  await signUp(page);
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'kraken');
  await expect(page.getByText('How this account is called in Coinsphere, e.g. “Kraken savings”.')).toBeVisible();
  await expect(page.getByText(/Binance savings/)).toHaveCount(0);
  await chooseExchange(page, 'kucoin');
  await expect(page.getByText('How this account is called in Coinsphere, e.g. “KuCoin savings”.')).toBeVisible();
});

test('the exchange picker ranks by prefix and says when nothing matches', async ({ page }) => {
  await signUp(page);
  await page.goto('/exchanges/new');
  const combobox = page.getByRole('combobox', { name: 'Exchange' });
  await combobox.click();
  await combobox.fill('zzzz');
  await expect(page.getByRole('option')).toHaveCount(0);
  await expect(page.getByText('No exchange matches “zzzz”.')).toBeVisible();
  await shot(page, 'picker-no-match');

  // An option's text also holds its avatar's initial: the name is its own element.
  const optionNames = () => page.getByRole('option').locator('.truncate');
  await combobox.fill('kra');
  await expect(optionNames().first()).toHaveText('Kraken');
  await combobox.fill('coin');
  await expect(page.getByRole('option').first()).toHaveAttribute('data-value', 'coinbase');
  // Names that start with "coin" come before those that only contain it (BitCoin…, KuCoin).
  const names = await optionNames().allTextContents();
  const firstContaining = names.findIndex((name) => !/^coin/i.test(name));
  expect(firstContaining).toBeGreaterThan(0);
  expect(names.slice(firstContaining).every((name) => !/^coin/i.test(name))).toBe(true);
});

test('a key that can trade is warned about once; a run started by Update keys is listed as “Keys updated”', async ({
  page,
}) => {
  await signUp(page);
  const trading = await simAccount('binance', WALLETS, { trade: true });
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, trading);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('checkbox', { name: 'I understand this key can trade' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /The key works/ })).toBeVisible();
  await expect(page.getByText(/could use it|could place orders/)).toHaveCount(1);
  await shot(page, 'trading-key');

  const key = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, key);
  const fresh = await simAccount('binance', { spot: { ETH: { free: '3', used: '0' } } });
  await page.goto(`/exchanges/${id}`);
  const section = page.locator('#update-keys');
  for (const [name, value] of Object.entries(fresh.form)) await section.getByLabel(name, { exact: true }).fill(value);
  await section.getByRole('button', { name: 'Update keys' }).click();
  const history = page.getByTestId('sync-history');
  await expect(history.locator('li').first()).toContainText('Keys updated', { timeout: 20_000 });
  await expect(history).not.toContainText('Sync now');
  await expect(history).toContainText('Connected');
});

test('Update keys: a wrong secret is said on its field and stays typed; another connection’s key links to it', async ({
  page,
}) => {
  await signUp(page);
  const savings = await simAccount('binance', WALLETS);
  const savingsId = await connectThroughUi(page, savings, 'Savings');
  const main = await simAccount('binance', WALLETS);
  const id = await connectThroughUi(page, main, 'Main');

  await page.goto(`/exchanges/${id}`);
  const section = page.locator('#update-keys');
  const fresh = await simAccount('binance', WALLETS);
  await section.getByLabel('API key', { exact: true }).fill(fresh.apiKey);
  await section.getByLabel('API secret', { exact: true }).fill('wrong-secret-000000000000000000000000');
  await section.getByRole('button', { name: 'Update keys' }).click();
  await expect(section.getByTestId('form-alert')).toHaveText('The exchange rejected the secret of this API key.');
  await expect(section.getByLabel('API secret', { exact: true })).toHaveAccessibleDescription(
    /^This secret does not belong to the API key\./,
  );
  await expect(section.getByLabel('API secret', { exact: true })).toHaveValue('wrong-secret-000000000000000000000000');
  await expect(section).not.toContainText(SYNC_WORDS);
  await shot(page, 'update-keys-wrong-secret');

  await section.getByLabel('API key', { exact: true }).fill(savings.apiKey);
  await section.getByLabel('API secret', { exact: true }).fill(savings.secret);
  await section.getByRole('button', { name: 'Update keys' }).click();
  await expect(section.getByTestId('form-alert')).toContainText('This API key is already connected as “Savings”.');
  await section.getByRole('link', { name: 'Update keys of “Savings”' }).click();
  await expect(page).toHaveURL(new RegExp(`/exchanges/${savingsId}#update-keys$`));
});
