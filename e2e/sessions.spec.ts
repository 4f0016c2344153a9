import { expect, test, type Browser } from '@playwright/test';
import { PASSWORD, openAccountMenu, signIn, signUp } from './helpers';

/** The same account signed in from a second, independent browser. */
async function signInElsewhere(browser: Browser, email: string) {
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email);
  await expect(otherPage).toHaveURL(/\/$/);
  return { other, otherPage };
}

test('sign out of all devices ends the other browser’s session too', async ({ page, browser }) => {
  const { email } = await signUp(page);
  const { other, otherPage } = await signInElsewhere(browser, email);

  await openAccountMenu(page);
  await page.getByRole('menuitem', { name: 'Sign out of all devices' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await otherPage.goto('/settings');
  await expect(otherPage).toHaveURL(/\/sign-in/);
  await other.close();
});

test('changing the password keeps this device signed in and signs out the others', async ({ page, browser }) => {
  const { email } = await signUp(page);
  const { other, otherPage } = await signInElsewhere(browser, email);

  await page.goto('/settings');
  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('New password', { exact: true }).fill('a fresh new passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#currentPassword-error')).toHaveText('Your current password is not correct.');

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed. Other devices have been signed out.')).toBeVisible();

  await page.reload();
  await expect(page).toHaveURL(/\/settings$/);
  await otherPage.reload();
  await expect(otherPage).toHaveURL(/\/sign-in/);

  await signIn(otherPage, email, 'a fresh new passphrase');
  await expect(otherPage).toHaveURL(/\/$/);
  await other.close();
});

test('the app fits a 375 px wide screen', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  for (const path of ['/sign-up', '/sign-in']) {
    await page.goto(path);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }
  await signUp(page);
  for (const path of ['/portfolio', '/settings']) {
    await page.goto(path);
    await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }
  await context.close();
});

test('after sign-out, a copy of the session cookie is refused by pages, actions and the session endpoint', async ({
  page,
  browser,
}) => {
  await signUp(page);
  const copied = (await page.context().cookies()).filter((cookie) => cookie.name.includes('session-token'));
  expect(copied).not.toEqual([]);

  // Someone holding a copy of the cookie, in a browser of their own: before sign-out it opens the account.
  const attacker = await browser.newContext();
  await attacker.addCookies(copied);
  const attackerPage = await attacker.newPage();
  await attackerPage.goto('/settings');
  await expect(attackerPage).toHaveURL(/\/settings$/);
  // A second tab keeps the settings form, rendered while signed in, for the action below.
  const settings = await page.context().newPage();
  await settings.goto('/settings');

  await openAccountMenu(page);
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await attackerPage.goto('/settings');
  await expect(attackerPage).toHaveURL(/\/sign-in/);
  expect(await (await attacker.request.get('/api/auth/session')).json()).toBeNull();

  // The copy put back into the signed-out browser, then a server action sent from the form it still shows.
  await page.context().addCookies(copied);
  await settings.getByLabel('Current password').fill(PASSWORD);
  await settings.getByLabel('New password', { exact: true }).fill('a fresh new passphrase');
  await settings.getByRole('button', { name: 'Change password' }).click();
  await expect(settings.getByTestId('form-alert')).toHaveText('Your session has ended. Sign in again to continue.');
  await attacker.close();
});
