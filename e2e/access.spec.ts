// Cross-site requests to server actions, through the production build's real HTTP endpoint: a page on
// another site (Origin: https://evil.example), or a sandboxed one (Origin: null), posts every action
// with the victim's session cookie and an input that would do harm. Next compares Origin with Host and
// aborts before the action runs. The action ids come from the build's manifest, and each exported
// server action under app/ must be in it, so a new action is covered without editing this file (its
// harmful input must be added below, or the first assertion fails).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { routeHandlerFiles } from '@/lib/testing/route-handlers';
import { serverActionFiles } from '@/lib/testing/server-actions';
import { PASSWORD, signUp, uniqueEmail } from './helpers';
import { connectThroughUi, database, executorRuns, simAccount, type Wallets } from './support';

const APP = path.join(process.cwd(), 'app');
const WALLETS: Wallets = { spot: { BTC: { free: '0.5', used: '0' } } };

/** Exported names of the server action files under app/. */
function serverActionExports(): string[] {
  return serverActionFiles(APP).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^export (?:const|async function|function) (\w+)/gm)].map(
      (match) => match[1]!,
    ),
  );
}

interface ManifestAction {
  id: string;
  name: string;
  /** A page that serves the action, as a URL path (`/exchanges`, `/exchanges/[id]`). */
  page: string;
}

/** The action ids of the build, from Next's server reference manifest. */
function buildActions(): ManifestAction[] {
  const manifest = JSON.parse(readFileSync('.next/server/server-reference-manifest.json', 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const pages = Object.keys(entry.workers).map(
      (worker) =>
        worker
          .replace(/^app/, '')
          .replace(/\/\([^)]+\)/g, '')
          .replace(/\/page$/, '') || '/',
    );
    return { id, name: entry.exportedName, page: pages.find((page) => !page.includes('[')) ?? pages[0]! };
  });
}

/**
 * Count and digest of every table: equal before and after means nothing was written. rate_limits is
 * left out: its counters (the exchange budget the app's own background syncs draw from) move on their own.
 */
async function databaseFingerprint(): Promise<Record<string, string>> {
  const sql = database();
  const tables = await sql<{ table_name: string }[]>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
    and table_name <> 'rate_limits' order by table_name`;
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await sql<{ count: number; digest: string }[]>`
      select count(*)::int as count, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
      from ${sql(table_name)} t`;
    out[table_name] = `${row!.count} rows, ${row!.digest}`;
  }
  return out;
}

test('every server action refuses a request from another origin, runs nothing, and works from our own', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const { email } = await signUp(page);
  const key = await simAccount('binance', WALLETS);
  const connectionId = await connectThroughUi(page, key, 'Victim’s account');
  const otherKey = await simAccount('binance', WALLETS);
  const cookie = (await page.context().cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');

  // What an attacker would want each action to do with the victim's session.
  const harmful: Record<string, unknown> = {
    signInAction: { email, password: PASSWORD },
    signUpAction: { email: uniqueEmail('csrf'), password: PASSWORD },
    signOutAction: {},
    signOutEverywhereAction: {},
    changePasswordAction: { currentPassword: PASSWORD, newPassword: 'the attacker’s password' },
    testConnectionAction: { exchangeId: 'binance', credentials: { apiKey: otherKey.apiKey, secret: otherKey.secret } },
    connectExchangeAction: {
      exchangeId: 'binance',
      credentials: { apiKey: otherKey.apiKey, secret: otherKey.secret },
      label: 'Attacker',
    },
    syncNowAction: { connectionId },
    syncAllAction: {},
    updateConnectionAction: { connectionId, label: 'Attacker', syncIntervalSeconds: 60 },
    disconnectAction: { connectionId, keepHoldings: false },
  };

  const actions = buildActions();
  expect(actions.map((action) => action.name).sort()).toEqual(serverActionExports().sort());
  expect(Object.keys(harmful).sort()).toEqual(actions.map((action) => action.name).sort());

  const post = (action: ManifestAction, origin: string, input: unknown) =>
    fetch(`${baseURL}${action.page.replace('[id]', connectionId)}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'next-action': action.id,
        origin,
        cookie,
        accept: 'text/x-component',
        'content-type': 'text/plain;charset=UTF-8',
      },
      body: JSON.stringify([input]),
    });

  const before = await databaseFingerprint();
  const runsBefore = (await executorRuns()).length;
  for (const action of actions) {
    for (const origin of ['https://evil.example', 'null']) {
      const response = await post(action, origin, harmful[action.name]);
      const body = await response.text();
      expect(response.status, `${action.name} from Origin: ${origin}`).toBe(500);
      // No cookie, except proxy.ts (which now runs on every page, for its CSP nonce) renewing the
      // victim's own session.
      const setCookie = response.headers.get('set-cookie');
      if (setCookie)
        expect(setCookie, action.name).toMatch(/^authjs\.session-token=[^;]+;.*Expires=(?!Thu, 01 Jan 1970)/);
      expect(body, action.name).not.toContain(connectionId);
      expect(body, action.name).not.toMatch(/"(data|validationErrors|serverError)"/);
    }
  }
  expect(await databaseFingerprint()).toEqual(before);
  expect((await executorRuns()).length).toBe(runsBefore);

  // The victim is still signed in, and the cookie still works: nothing above ran.
  await page.goto(`/exchanges/${connectionId}`);
  await expect(page.getByRole('heading', { name: 'Victim’s account' })).toBeVisible();

  // The same request from our own origin reaches every action (here with input its schema refuses, so
  // nothing changes): the refusals above are the origin check, not a wrong id or page.
  for (const action of actions) {
    const response = await post(action, new URL(baseURL!).origin, 'not an object');
    const body = await response.text();
    expect(response.status, action.name).toBe(200);
    expect(body, action.name).toContain('"validationErrors"');
  }
  expect(await databaseFingerprint()).toEqual(before);
});

/**
 * What a visitor without a session gets from each route over HTTP, GET and POST. A new route without an
 * entry fails. /api/inngest is left to app/server-actions.db.test.ts, which runs it as in production
 * (cloud mode, signing key: 401 unsigned); this server runs Inngest in dev mode, where the SDK accepts
 * unsigned calls by design.
 */
const ANONYMOUS: Record<string, ((baseURL: string) => Promise<void>) | 'covered in app/server-actions.db.test.ts'> = {
  '/api/sync-status': async (baseURL) => {
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${baseURL}/api/sync-status`, { method, redirect: 'manual' });
      expect([401, 405], method).toContain(response.status);
      expect(await response.text(), method).not.toMatch(/"connections"/);
    }
  },
  '/api/auth/[...nextauth]': async (baseURL) => {
    const session = await fetch(`${baseURL}/api/auth/session`);
    expect(await session.json()).toBeNull();
    const signIn = await fetch(`${baseURL}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ email: 'someone@example.com', password: PASSWORD }).toString(),
    });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toMatch(/MissingCSRF/);
    expect(signIn.headers.getSetCookie().join(';')).not.toMatch(/session-token=[^;]/);
  },
  '/api/inngest': 'covered in app/server-actions.db.test.ts',
  // Public by design (monitors): the database's and the job mode's state, nothing about anyone.
  '/api/health': async (baseURL) => {
    const response = await fetch(`${baseURL}/api/health`);
    expect(response.status).toBe(200);
    expect(Object.keys(await response.json()).sort()).toEqual(['database', 'jobs', 'status']);
  },
};

test('every route handler answers a visitor without a session with 401 or a refusal, never data', async ({
  baseURL,
}) => {
  expect(
    routeHandlerFiles(APP)
      .map((route) => route.pattern)
      .sort(),
  ).toEqual(Object.keys(ANONYMOUS).sort());
  for (const check of Object.values(ANONYMOUS)) if (typeof check === 'function') await check(baseURL!);
});
