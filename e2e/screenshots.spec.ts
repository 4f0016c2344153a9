// A screenshot of every page, at desktop width, at 375 px and in dark mode, for reviewers:
// test-results/screenshots/<page>-desktop.png, <page>-375.png and <page>-dark.png.
import { expect, test } from '@playwright/test';
import { signUp } from './helpers';
import { shoot } from './shoot';
import { chooseExchange, connectThroughUi, fillKey, revokeKey, simAccount } from './support';

test('screenshots of every page: desktop, 375 px and dark mode', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/sign-in');
  await shoot(page, 'sign-in');
  await page.goto('/sign-up');
  await shoot(page, 'sign-up');

  await signUp(page, undefined, undefined, 'Grace');
  await shoot(page, 'portfolio-empty');
  await page.goto('/exchanges');
  await shoot(page, 'exchanges-empty');

  const binance = await simAccount('binance', {
    spot: { BTC: { free: '0.5', used: '0.1' }, ETH: { free: '2', used: '0' }, SOL: { free: '150.25', used: '0' } },
    funding: { USDT: { free: '2500', used: '5.5' } },
    earn: { ETH: { free: '1.5', used: '0' } },
  });
  const kraken = await simAccount('kraken', {
    spot: { XXBT: { free: '0.125', used: '0' }, 'DOT.S': { free: '40', used: '0' } },
  });
  const kucoin = await simAccount('kucoin', {
    trade: { BTC: { free: '0.01', used: '0' }, KCS: { free: '42', used: '0' } },
  });

  await page.goto('/exchanges/new');
  await shoot(page, 'connect-choose');
  await chooseExchange(page, 'binance');
  await fillKey(page, binance);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Found/ })).toBeVisible();
  await shoot(page, 'connect-tested');

  const binanceId = await connectThroughUi(page, binance, 'Binance');
  await connectThroughUi(page, kraken, 'Kraken savings');
  const kucoinId = await connectThroughUi(page, kucoin, 'KuCoin');
  await revokeKey(kucoin);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(
    page
      .getByRole('main')
      .getByText(/^Credentials need updating/)
      .first(),
  ).toBeVisible({ timeout: 20_000 });
  await shoot(page, 'connection-needs-reauth');

  await page.goto('/');
  await page.getByRole('button', { name: 'Show sources for BTC' }).click();
  await expect(page.getByRole('list', { name: 'Sources of BTC' })).toBeVisible();
  await shoot(page, 'portfolio');
  await page.goto('/exchanges');
  await shoot(page, 'exchanges');
  await page.goto(`/exchanges/${binanceId}`);
  await shoot(page, 'connection');
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await shoot(page, 'disconnect-dialog');
  await page.keyboard.press('Escape');
  await page.goto('/settings');
  await shoot(page, 'settings');
  expect(kucoinId).not.toBe(binanceId);
});
