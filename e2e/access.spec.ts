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
import { connectThroughUi, database, executorSettled, executorTranscript, simAccount, type Wallets } from './support';

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

/** What a table's rows must match to belong to this test: the victim, or what the attacker's input names. */
function ownRows(sql: ReturnType<typeof database>, table: string, scope: Scope) {
  switch (table) {
    case 'users':
      return sql`id = ${scope.userId} or lower(email) in ${sql(scope.emails)}`;
    case 'auth_throttle':
      return sql`key in ${sql(scope.emails.map((email) => `account:${email}`))}`;
    case 'exchange_credentials':
      return sql`user_id = ${scope.userId} or connection_id = ${scope.connectionId}`;
    case 'balance_history':
      return sql`connection_id = ${scope.connectionId}`;
    case 'vault_key_checks':
      return sql`true`;
    // Public prices per exchange, nobody's rows: the price refresher rewrites them on its own schedule.
    case 'asset_prices':
    case 'price_history':
      return sql`false`;
    // Past chart values, derived from balance_history and prices and stored when a chart is first read.
    case 'connection_values':
      return sql`false`;
    default:
      return sql`user_id = ${scope.userId}`;
  }
}

interface Scope {
  userId: string;
  connectionId: string;
  /** Lower-cased addresses the harmful inputs name (the victim's, and the one the attacker signs up). */
  emails: string[];
}

/**
 * Count and digest of every table's rows that belong to this test: equal before and after means nothing
 * was written for the victim or by the attacker's inputs. Other tests run beside this one and write
 * their own rows, so whole-table digests would compare their work too. rate_limits is left out: its
 * counters (the exchange budget the background syncs draw from) move on their own. A new table with no
 * user_id column fails here until its scope is added to ownRows.
 */
async function databaseFingerprint(scope: Scope): Promise<Record<string, string>> {
  const sql = database();
  const tables = await sql<{ table_name: string }[]>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
    and table_name <> 'rate_limits' order by table_name`;
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await sql<{ count: number; digest: string }[]>`
      select count(*)::int as count, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
      from ${sql(table_name)} t where ${ownRows(sql, table_name, scope)}`;
    out[table_name] = `${row!.count} rows, ${row!.digest}`;
  }
  return out;
}

/** Events the app sent to Inngest that name the victim or the victim's connection. */
async function victimEvents(scope: Scope): Promise<number> {
  const { events } = (await executorTranscript()) as { events: unknown[] };
  return events.filter((event) => {
    const text = JSON.stringify(event);
    return text.includes(scope.userId) || text.includes(scope.connectionId);
  }).length;
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
    setDisplayCurrencyAction: { currency: 'JPY' },
    addMarketAction: { connectionId, stream: 'ETH/BTC' },
    historyProgressAction: { connectionId },
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

  // The connect's first sync finishes before the baseline is taken, so only the attacker's requests could move it.
  await executorSettled();
  const [victim] = await database()<{ id: string }[]>`select id from users where lower(email) = ${email.toLowerCase()}`;
  const scope: Scope = {
    userId: victim!.id,
    connectionId,
    emails: [email.toLowerCase(), (harmful.signUpAction as { email: string }).email.toLowerCase()],
  };
  const before = await databaseFingerprint(scope);
  const eventsBefore = await victimEvents(scope);
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
  expect(await databaseFingerprint(scope)).toEqual(before);
  expect(await victimEvents(scope)).toBe(eventsBefore);

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
  expect(await databaseFingerprint(scope)).toEqual(before);
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
  '/api/portfolio/sources': async (baseURL) => {
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${baseURL}/api/portfolio/sources?asset=BTC`, { method, redirect: 'manual' });
      expect([401, 405], method).toContain(response.status);
      expect(await response.text(), method).not.toMatch(/"sources"/);
    }
  },
  ...Object.fromEntries(
    ['/api/export/holdings', '/api/export/history', '/api/export/activity'].map((route) => [
      route,
      async (baseURL: string) => {
        for (const method of ['GET', 'POST']) {
          const response = await fetch(`${baseURL}${route}`, { method, redirect: 'manual' });
          expect([401, 405], `${method} ${route}`).toContain(response.status);
          expect(response.headers.get('content-type') ?? '', `${method} ${route}`).not.toMatch(/text\/csv/);
          expect(await response.text(), `${method} ${route}`).not.toMatch(/^asset,|^at,|^date,|^Date,/);
        }
      },
    ]),
  ),
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
