// Screenshots for reviewers: test-results/screenshots/<name>-desktop.png, <name>-375.png and <name>-dark.png.
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

const DIR = path.join('test-results', 'screenshots');

export async function shoot(page: Page, name: string) {
  for (const [suffix, size] of [
    ['desktop', { width: 1280, height: 900 }],
    ['375', { width: 375, height: 812 }],
  ] as const) {
    await page.setViewportSize(size);
    // No horizontal scrolling at either width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${suffix}`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(DIR, `${name}-${suffix}.png`), fullPage: true });
  }
  // And in dark mode (the app follows the system's colour scheme).
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(DIR, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}
