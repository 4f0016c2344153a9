// The app runs under its own Content-Security-Policy: every page of a whole flow (sign up, connect an
// exchange on the simulator, portfolio, exchanges, settings, sign out, a missing page) is used in a real
// browser with CSP violations collected, and none may occur. The other response headers are checked
// over HTTP, with and without an HTTPS-terminating proxy in front.
import { expect, test, type Page } from '@playwright/test';
import { openAccountMenu, signUp } from './helpers';
import { chooseExchange, fillKey, simAccount } from './support';

/** Collects every CSP violation the browser reports on this page, across navigations. */
async function watchContentSecurityPolicy(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeBinding('reportCspViolation', (_source, violation: string) => void violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation;
      report(
        `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sample})`,
      );
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  return violations;
}

/** The policy of every page document the browser loads. */
function documentPolicies(page: Page): Array<{ url: string; policy: string | undefined }> {
  const seen: Array<{ url: string; policy: string | undefined }> = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || response.headers().location) return;
    seen.push({ url: response.url(), policy: response.headers()['content-security-policy'] });
  });
  return seen;
}

const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1];

test('every page of a whole flow runs without a single Content-Security-Policy violation', async ({ page }) => {
  // Ten pages and an exchange connection in one test: it takes longer than most.
  test.setTimeout(120_000);
  const violations = await watchContentSecurityPolicy(page);
  const documents = documentPolicies(page);

  await page.goto('/sign-in');
  await page.goto('/sign-up');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toBeVisible();
  await signUp(page);
  await expect(page.getByText('No exchanges connected yet')).toBeVisible();

  // Connect from the simulator: the searchable exchange list, Test connection, Connect.
  const key = await simAccount('binance', { spot: { BTC: { free: '0.5', used: '0.1' } } });
  await page.goto('/exchanges/new');
  await chooseExchange(page, 'binance');
  await fillKey(page, key);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Found 1 asset' })).toBeVisible();
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page).toHaveURL(/\/exchanges\/[0-9a-f-]{36}$/, { timeout: 20_000 });

  // The connection page, loaded as a document of its own, and its disconnect dialog (opened, then closed).
  await page.reload();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.goto('/');
  await expect(page.getByTestId('amount-BTC')).toHaveText('0.6');
  await page.getByRole('button', { name: 'Sync all' }).click();
  await page.goto('/exchanges');
  await page.getByRole('button', { name: 'Sync now' }).first().click();
  await page.goto('/settings');
  await expect(page.getByRole('button', { name: 'Change password' })).toBeVisible();
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'We could not find that page' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to Coinsphere' }).click();
  await expect(page).toHaveURL(/\/$/);
  await openAccountMenu(page);
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();

  expect(violations).toEqual([]);
  // Every page came with a policy, each with a nonce of its own.
  expect(documents.length).toBeGreaterThanOrEqual(9);
  for (const { url, policy } of documents) expect(nonceOf(policy), url).toBeTruthy();
  const nonces = documents.map(({ policy }) => nonceOf(policy));
  expect(new Set(nonces).size).toBe(nonces.length);

  // The watcher does see a violation: markup injected the way an XSS would is refused its inline handler.
  await page.evaluate(() =>
    document.body.insertAdjacentHTML('beforeend', '<img src="/no-such-image" onerror="window.injected = 1">'),
  );
  await expect.poll(() => violations).toContainEqual(expect.stringMatching(/script-src-attr blocked inline/));
  expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
});

test('pages carry a nonce policy, COOP and no HSTS over plain HTTP', async ({ request }) => {
  const first = await request.get('/sign-in');
  const second = await request.get('/sign-in');
  const policy = first.headers()['content-security-policy'];
  expect(policy).toBeDefined();
  const nonce = nonceOf(policy);
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(nonceOf(second.headers()['content-security-policy'])).not.toBe(nonce);

  const scriptSrc = policy!.split('; ').find((directive) => directive.startsWith('script-src '));
  expect(scriptSrc).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("base-uri 'none'");
  // Next put this response's nonce on the scripts it rendered, and every script tag has it.
  const html = await first.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

  for (const response of [first, await request.get('/api/auth/session')]) {
    expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers()['x-frame-options']).toBe('DENY');
    expect(response.headers()['strict-transport-security']).toBeUndefined();
  }
});

test('HSTS is sent when an HTTPS-terminating proxy forwards the request', async ({ request }) => {
  for (const path of ['/sign-in', '/api/auth/session']) {
    const response = await request.get(path, { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers()['strict-transport-security'], path).toBe('max-age=63072000; includeSubDomains');
    expect(response.headers()['cross-origin-opener-policy'], path).toBe('same-origin');
  }
});
