// Amounts and dates in the reader's locale and time zone, rendered so by the server (no flash when
// the page hydrates) and hydrated without a mismatch.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signUp } from './helpers';
import { connectThroughUi, injectFault, simAccount } from './support';

const DIR = path.join('test-results', 'screenshots');
const TIME_ZONE = 'Europe/Berlin';

// React's production hydration errors (#418 text, #419/#422/#423 recovery, #425 text content) and any in development.
const HYDRATION = /hydrat|#41[89]|#42[235]/i;

/** Everything the page reports as an error: console errors and uncaught exceptions. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`${error.message}\n${error.stack ?? ''}`));
  return errors;
}

/** The page as the server sends it, before any script runs: what a person sees first. */
async function serverHtml(page: Page, url: string, acceptLanguage: string): Promise<string> {
  const response = await page.context().request.get(url, { headers: { 'accept-language': acceptLanguage } });
  expect(response.ok()).toBe(true);
  return response.text();
}

const WALLETS = {
  spot: { BTC: { free: '0.5', used: '0.1' } },
  funding: { USDT: { free: '2500', used: '5.5' } },
};

test.describe('German locale, Berlin time', () => {
  test.use({ locale: 'de-DE', timezoneId: TIME_ZONE });

  test('amounts read "0,6" and "2.505,5" and dates are German, from the first byte, with no hydration error', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await signUp(page);
    const key = await simAccount('binance', WALLETS);
    const id = await connectThroughUi(page, key, 'Binance');

    await page.goto('/');
    await expect(page.getByTestId('amount-BTC')).toHaveText('0,6');
    await expect(page.getByTestId('amount-USDT')).toHaveText('2.505,5');
    await page.screenshot({ path: path.join(DIR, 'locale-de-portfolio.png'), fullPage: true });
    // Soft: a run lists each way the page went wrong (hydration, server markup) rather than the first.
    expect
      .soft(
        errors.filter((error) => HYDRATION.test(error)),
        'hydrating the portfolio',
      )
      .toEqual([]);

    await page.goto(`/exchanges/${id}`);
    await expect(page.getByTestId('total-spot-BTC')).toHaveText('0,6');
    // The sync history's times carry the exact German date and Berlin time as their tooltip.
    const when = page.getByRole('main').locator('time[title]').first();
    const iso = await when.getAttribute('datetime');
    const german = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE });
    await expect(when).toHaveAttribute('title', german.format(new Date(iso!)));
    expect(german.format(new Date(iso!))).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);

    // Rate limited: "retrying at 17:45" in Berlin's wall-clock time, 24-hour as Germans read it.
    await injectFault(key, { kind: 'rate_limit', remaining: 50, retryAfterSeconds: 600 });
    await page.getByRole('button', { name: 'Sync now' }).click();
    const retrying = page
      .getByRole('main')
      .getByText(/^Rate limited — retrying at/)
      .first();
    await expect(retrying).toBeVisible({ timeout: 20_000 });
    await page.reload();
    const at = retrying.locator('time');
    const blockedUntil = new Date((await at.getAttribute('datetime'))!);
    const berlinTime = new Intl.DateTimeFormat('de-DE', { timeStyle: 'short', timeZone: TIME_ZONE }).format(
      blockedUntil,
    );
    expect(berlinTime).toMatch(/^\d{2}:\d{2}$/);
    await expect(at).toHaveText(berlinTime);
    await page.screenshot({ path: path.join(DIR, 'locale-de-connection.png'), fullPage: true });

    // The server already sent German digits and Berlin times (the time zone came back in a cookie after the
    // first page), so nothing changes when the page hydrates.
    const html = await serverHtml(page, `/exchanges/${id}`, 'de-DE,de;q=0.9,en;q=0.8');
    const times = [...html.matchAll(/<time [^>]*>([^<]*)<\/time>/g)].map(([, text]) => text);
    expect.soft(html.includes('>0,6<') && !html.includes('>0.6<'), 'the server sent German digits').toBe(true);
    expect.soft(times, 'the server sent Berlin times').toContain(berlinTime);

    expect(
      errors.filter((error) => HYDRATION.test(error)),
      'hydrating every page',
    ).toEqual([]);
  });
});

test.describe('US English', () => {
  test.use({ locale: 'en-US', timezoneId: 'America/New_York' });

  test('amounts read "2,505.5", times "5:45 PM"-style, with no hydration error', async ({ page }) => {
    const errors = collectErrors(page);
    await signUp(page);
    const key = await simAccount('binance', WALLETS);
    const id = await connectThroughUi(page, key, 'Binance');
    await page.goto('/');
    await expect(page.getByTestId('amount-BTC')).toHaveText('0.6');
    await expect(page.getByTestId('amount-USDT')).toHaveText('2,505.5');
    await page.goto(`/exchanges/${id}`);
    const when = page.getByRole('main').locator('time[title]').first();
    const iso = await when.getAttribute('datetime');
    await expect(when).toHaveAttribute(
      'title',
      new Intl.DateTimeFormat('en-US', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'America/New_York',
      }).format(new Date(iso!)),
    );
    expect(errors.filter((error) => HYDRATION.test(error))).toEqual([]);
  });
});
