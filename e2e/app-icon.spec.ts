// The app icon: every page names it, and neither it nor the /favicon.ico browsers ask for on their own is a 404.
import { expect, test } from '@playwright/test';
import { signUp } from './helpers';

test('every page has the app icon and no page load asks for a missing one', async ({ page }) => {
  const missing: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(response.url());
  });

  await page.goto('/sign-in');
  const href = await page.locator('link[rel="icon"][type="image/svg+xml"]').getAttribute('href');
  expect(href).toMatch(/^\/icon\.svg/);
  const icon = await page.request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
  // The logo's globe: the circle, the meridian and the equator.
  expect(await icon.text()).toMatch(/<circle[^>]*r="10"[\s\S]*<ellipse[\s\S]*M2 12h20/);

  const favicon = await page.request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);

  await signUp(page);
  await page.goto('/exchanges');
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute('href', /icon\.svg|favicon\.ico/);
  expect(missing).toEqual([]);
});
