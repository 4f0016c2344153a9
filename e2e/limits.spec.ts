// The limits on the work one user causes reach the user where the action's answer is shown today.
import { expect, test } from '@playwright/test';
import { signUp } from './helpers';
import { connectThroughUi, executorSettled, simAccount } from './support';

test('Sync all pressed again right after it ran is refused with when to try again', async ({ page }) => {
  await signUp(page);
  const key = await simAccount('binance', { spot: { BTC: { free: '0.5', used: '0' } } });
  await connectThroughUi(page, key);
  await page.goto('/exchanges');

  const syncAll = page.getByRole('button', { name: 'Sync all' });
  await syncAll.click();
  await expect(page.getByText('Syncing 1 exchange')).toBeVisible();
  await executorSettled();
  await expect(syncAll).toBeEnabled({ timeout: 20_000 });

  await syncAll.click();
  await expect(page.getByText(/^Sync all was started a moment ago\. Try again in \d+ s\.$/)).toBeVisible();
});
