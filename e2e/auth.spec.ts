import { expect, test } from '@playwright/test';
import { PASSWORD, dropSession, openAccountMenu, signIn, signUp, uniqueEmail } from './helpers';

test('sign up lands on the empty portfolio with the user in the header', async ({ page }) => {
  const { email } = await signUp(page, uniqueEmail('new'), PASSWORD, 'Ada');
  await expect(page.getByRole('heading', { name: 'Portfolio', level: 1 })).toBeVisible();
  await expect(page.getByText('No exchanges connected yet')).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toHaveText(email);
});

test('sign out, then sign in again', async ({ page }) => {
  const { email } = await signUp(page);
  await openAccountMenu(page);
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await page.goto('/portfolio');
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, email);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('signed-in-user')).toHaveText(email);
});

test('a wrong password gives one message that does not say which part was wrong', async ({ page }) => {
  const { email } = await signUp(page);
  await dropSession(page);

  await signIn(page, email, 'not the right password');
  await expect(page.getByTestId('form-alert')).toHaveText('Email or password is incorrect.');
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, uniqueEmail('nobody'), PASSWORD);
  await expect(page.getByTestId('form-alert')).toHaveText('Email or password is incorrect.');
});

test('protected pages redirect to sign-in when signed out', async ({ page }) => {
  for (const path of ['/portfolio', '/settings', '/']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in/);
  }
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
});

test('a duplicate email is refused on the email field', async ({ page }) => {
  const { email } = await signUp(page);
  await dropSession(page);

  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email.toUpperCase());
  await page.getByLabel('Password').fill('another long password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toHaveText('An account with this email already exists. Sign in instead.');
  await expect(page).toHaveURL(/\/sign-up$/);
});

test('bad sign-up input gets a message on each field', async ({ page }) => {
  await page.goto('/sign-up');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toHaveText('Enter your email address.');
  await expect(page.locator('#password-error')).toHaveText('Choose a password.');

  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toHaveText('Enter a valid email address, like name@example.com.');
  await expect(page.locator('#password-error')).toHaveText('Use at least 12 characters.');
  await expect(page).toHaveURL(/\/sign-up$/);
});

test('ten wrong passwords lock the account, even for the right password', async ({ page }) => {
  const { email } = await signUp(page);
  await dropSession(page);
  for (let i = 0; i < 10; i++) {
    await signIn(page, email, `wrong password ${i}`);
    await expect(page.getByTestId('form-alert')).toHaveText('Email or password is incorrect.');
  }
  await signIn(page, email, PASSWORD);
  await expect(page.getByTestId('form-alert')).toHaveText(/^Too many sign-in attempts\. Try again in 1[45] minutes\.$/);
  await expect(page).toHaveURL(/\/sign-in/);
});
