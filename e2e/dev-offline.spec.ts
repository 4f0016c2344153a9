// `npm run dev` offline: no Inngest dev server answers. Sync now and Sync all still update holdings from the
// exchange (they run the sync in the app's process), the app says once that background scheduling is off and
// how to turn it on, and each connection says "Scheduled syncs paused" instead of promising a next sync.
import { expect, test, type Page } from '@playwright/test';
import { startDevServer } from './dev-server';
import { PASSWORD, uniqueEmail } from './helpers';
import { shoot } from './shoot';
import { chooseExchange, fillKey, setWallets, simAccount, type SimKey } from './support';

// next dev compiles each page on its first visit: minutes on two busy cores.
const COMPILE_MS = 180_000;
const connectionCard = (page: Page, label: string) => page.getByRole('article', { name: label });
const amountOf = (page: Page, asset: string) => page.getByTestId(`amount-${asset}`);

async function connect(page: Page, key: SimKey, label: string) {
  await page.goto('/exchanges/new', { timeout: COMPILE_MS });
  await chooseExchange(page, key.exchange);
  await fillKey(page, key);
  await page.getByLabel('Label', { exact: true }).fill(label);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page).toHaveURL(/\/exchanges\/[0-9a-f-]{36}$/, { timeout: COMPILE_MS });
}

test('next dev without an Inngest dev server: Sync now and Sync all update holdings; scheduling is said to be off, once, and each connection says "Scheduled syncs paused"', async ({
  browser,
}) => {
  test.setTimeout(900_000);
  const dev = await startDevServer({ inngest: 'absent' });
  const context = await browser.newContext({ baseURL: dev.url });
  const page = await context.newPage();
  try {
    await page.goto('/sign-up', { timeout: COMPILE_MS });
    await page.getByLabel('Email').fill(uniqueEmail('dev-offline'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/$/, { timeout: COMPILE_MS });

    // The first sync after Connect: the balances read while connecting are saved at once.
    const binance = await simAccount('binance', { spot: { BTC: { free: '1', used: '0' } } });
    const kraken = await simAccount('kraken', { spot: { ETH: { free: '3', used: '0' } } });
    await connect(page, binance, 'Offline Binance');
    await expect(page.getByTestId('connection-status')).toHaveText('Scheduled syncs paused');
    await expect(page.getByText(/Next sync (in|any moment|due)/)).toHaveCount(0);
    await expect(page.getByText('Last synced just now')).toBeVisible();
    await connect(page, kraken, 'Offline Kraken');

    await page.goto('/exchanges', { timeout: COMPILE_MS });
    const notice = page.getByTestId('jobs-notice');
    await expect(notice).toHaveCount(1);
    await expect(notice).toContainText('Background scheduling is off');
    await expect(notice).toContainText('npx inngest-cli@latest dev');
    await expect(notice).toContainText('8288');
    for (const label of ['Offline Binance', 'Offline Kraken']) {
      const card = connectionCard(page, label);
      await expect(card.getByTestId('connection-status')).toHaveText('Scheduled syncs paused');
      await expect(card).not.toContainText(/Next sync (in|any moment|due)/);
      await expect(card).toContainText('Updates on Sync now');
      // The notice is the page's, not the cards'.
      await expect(card).not.toContainText('Background scheduling is off');
    }
    await shoot(page, 'dev-offline-exchanges');

    // Sync now reads the exchange again and the holdings follow.
    await setWallets(binance, { spot: { BTC: { free: '1.75', used: '0' } } });
    await connectionCard(page, 'Offline Binance').getByRole('button', { name: 'Sync now' }).click();
    await page.goto('/', { timeout: COMPILE_MS });
    await expect(amountOf(page, 'BTC')).toHaveText('1.75', { timeout: 60_000 });
    await expect(amountOf(page, 'ETH')).toHaveText('3');
    await expect(page.getByTestId('jobs-notice')).toHaveCount(1);
    await shoot(page, 'dev-offline-portfolio');

    // Sync all: both connections, in the app's process.
    await setWallets(binance, { spot: { BTC: { free: '2.5', used: '0' } } });
    await setWallets(kraken, { spot: { ETH: { free: '4', used: '0' } } });
    await page.goto('/exchanges', { timeout: COMPILE_MS });
    await page.getByRole('button', { name: 'Sync all' }).click();
    await expect(page.getByText('Syncing 2 exchanges')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByText('Background sync service is unreachable')).toHaveCount(0);
    await page.goto('/', { timeout: COMPILE_MS });
    await expect(amountOf(page, 'BTC')).toHaveText('2.5', { timeout: 60_000 });
    await expect(amountOf(page, 'ETH')).toHaveText('4', { timeout: 60_000 });
  } finally {
    await context.close();
    await dev.stopAndDump().catch(() => []);
    await test.info().attach('next dev output', { body: dev.output(), contentType: 'text/plain' });
  }
  // The server said what it did with no Inngest dev server, and never that it could not reach one.
  expect(dev.output()).not.toContain('could not send Inngest events');
});
