import { randomUUID } from 'node:crypto';
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export async function signUp(page: Page, email = uniqueEmail(), password = PASSWORD, name?: string) {
  await page.goto('/sign-up');
  if (name) await page.getByLabel('Name (optional)').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);
  return { email, password };
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function openAccountMenu(page: Page) {
  await page.getByRole('button', { name: 'Account menu' }).click();
}

/**
 * Forgets the session cookie. The page is left first: a request still in flight from a signed-in page
 * (a link prefetch through the proxy, which renews the session cookie) could otherwise set it again.
 */
export async function dropSession(page: Page) {
  await page.goto('about:blank');
  await page.context().clearCookies();
}
