// Every server action under app/, found by reading the files (not from a list): each is built from the
// authenticated client (or is one of the named public ones), refuses a request without a session, and
// cannot reach another user's rows. A new action without a case below fails the first test. The same
// holds for every route handler under app/api (every exported method of every route.ts): a new route
// or method without a case in ROUTE_CASES fails the suite. Server actions posted over HTTP from another
// origin are refused by Next itself: e2e/access.spec.ts proves it against the production build.
//
// What is replaced, and why:
// - `next/headers` (lib/testing/session.ts): the request Next hands an action. Cookies and headers come
//   from a test browser instead; next-auth's real sign-in sets the session cookie, and getCurrentUser
//   decrypts it and checks its session version against the database exactly as in production.
// - `@/lib/safe-action` is the real module with its two clients wrapped to record which client built
//   each action; nothing about their behaviour changes.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getCurrentUser } from '@/lib/auth/session';
import { inngest } from '@/lib/jobs/client';
import { endAllSessions } from '@/lib/auth/users';
import { listConnections } from '@/lib/connections/list';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { binanceAccount, startFakeEventApi, withKeyringAndEventApi } from '@/lib/testing/fixtures';
import { actAs, databaseFingerprint, nextHeaders, signUpAndSignIn, type TestSession } from '@/lib/testing/session';
import {
  callAction,
  inlineServerDirectives,
  loadServerActions,
  type ActionBuild,
  type ActionClientName,
  type ServerAction,
} from '@/lib/testing/server-actions';
import { routeHandlerFiles } from '@/lib/testing/route-handlers';
import { ACTIVITY_HEADER, KOINLY_HEADER } from '@/lib/export/activity';
import { HISTORY_HEADER } from '@/lib/export/history';
import { HOLDINGS_HEADER } from '@/lib/export/holdings';
import { withSimulator } from '@/lib/testing/simulator';

const builtFrom = vi.hoisted(() => new WeakMap<object, ActionBuild>());

vi.mock('next/headers', async () => (await import('@/lib/testing/session')).nextHeaders);

vi.mock('@/lib/safe-action', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/safe-action')>();
  const { traceActionClients } = await import('@/lib/testing/server-actions');
  return { ...real, ...traceActionClients(real, builtFrom) };
});

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
let eventApi: Awaited<ReturnType<typeof startFakeEventApi>>;
withKeyringAndEventApi((api) => (eventApi = api));

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';
const NOT_FOUND = { ok: false, message: 'Connection not found.' };

const APP = path.join(import.meta.dirname);

interface Owner {
  session: TestSession;
  connectionId: string;
  /** The key the owner connected (the simulator knows it). */
  credentials: { apiKey: string; secret: string };
  label: string;
}

interface Case {
  /** The input, aimed at the owner's rows wherever the action takes an id. */
  input: (owner: Owner) => unknown;
  /** What another signed-in user gets for that input. */
  asOtherUser: (answer: unknown, owner: Owner, other: TestSession) => void | Promise<void>;
  /** Actions that take no id act for the caller: with the owner's key the exchange is asked on their behalf. */
  callsExchangeForOtherUser?: boolean;
}

/** Actions that must work without a session; every other action is built from authActionClient. */
const PUBLIC_ACTIONS: Record<string, string> = {
  signInAction: 'creates the session',
  signUpAction: 'creates the account and its session',
  signOutAction: 'ends whatever session there is; an expired one must still be able to clear its cookie',
};

/** Called without a session: input the public actions refuse before touching anything, and their answer. */
const PUBLIC_CASES: Record<string, unknown> = {
  signInAction: { email: 'not an email', password: '' },
  signUpAction: { email: '', password: 'short' },
  signOutAction: {},
};
const PUBLIC_ANSWERS: Record<string, unknown> = {
  signInAction: {
    validationErrors: {
      email: { _errors: ['Enter a valid email address, like name@example.com.'] },
      password: { _errors: ['Enter your password.'] },
    },
  },
  signUpAction: {
    validationErrors: {
      email: { _errors: ['Enter your email address.'] },
      password: { _errors: ['Use at least 12 characters.'] },
    },
  },
  signOutAction: { redirect: '/sign-in' },
};

const noConnectionTouched = (answer: unknown, owner: Owner) => {
  const text = JSON.stringify(answer);
  expect(text).not.toContain(owner.connectionId);
  expect(text).not.toContain(owner.label);
};

const CASES: Record<string, Case> = {
  testConnectionAction: {
    input: (owner) => ({ exchangeId: 'binance', credentials: owner.credentials }),
    // The same key under another account is that account's business: it is tested, and the owner's
    // connection (which would answer "already connected as …") is neither named nor touched.
    asOtherUser: (answer, owner) => {
      expect(answer).toMatchObject({ data: { ok: true } });
      noConnectionTouched(answer, owner);
    },
    callsExchangeForOtherUser: true,
  },
  connectExchangeAction: {
    input: (owner) => ({ exchangeId: 'binance', credentials: owner.credentials, label: 'Taken over' }),
    asOtherUser: (answer, owner) => {
      expect(answer).toMatchObject({ data: { ok: true, connection: { label: 'Taken over' } } });
      noConnectionTouched(answer, owner);
    },
    callsExchangeForOtherUser: true,
  },
  syncNowAction: {
    input: (owner) => ({ connectionId: owner.connectionId }),
    asOtherUser: (answer) => expect(answer).toEqual({ data: NOT_FOUND }),
  },
  syncAllAction: {
    input: () => ({}),
    // Only the caller's connections count (the one they connected above, if that case ran first).
    asOtherUser: async (answer, _owner, other) =>
      expect(answer).toEqual({ data: { ok: true, connections: (await listConnections(other.userId)).length } }),
  },
  updateConnectionAction: {
    input: (owner) => ({
      connectionId: owner.connectionId,
      label: 'Mine now',
      syncIntervalSeconds: 60,
      credentials: binanceAccount(sim).credentials,
    }),
    asOtherUser: (answer) => expect(answer).toEqual({ data: NOT_FOUND }),
  },
  disconnectAction: {
    input: (owner) => ({ connectionId: owner.connectionId, keepHoldings: false }),
    asOtherUser: (answer) => expect(answer).toEqual({ data: NOT_FOUND }),
  },
  addMarketAction: {
    input: (owner) => ({ connectionId: owner.connectionId, stream: 'BTC/USDT' }),
    asOtherUser: (answer) => expect(answer).toEqual({ data: NOT_FOUND }),
  },
  historyProgressAction: {
    input: (owner) => ({ connectionId: owner.connectionId }),
    asOtherUser: (answer) => expect(answer).toEqual({ data: { ok: true, progress: null } }),
  },
  changePasswordAction: {
    input: (owner) => ({ currentPassword: owner.session.password, newPassword: 'a brand new password' }),
    // The owner's password is not the caller's: refused on the field, the owner's hash untouched.
    asOtherUser: (answer) =>
      expect(answer).toEqual({
        validationErrors: { currentPassword: { _errors: ['Your current password is not correct.'] } },
      }),
  },
  setDisplayCurrencyAction: {
    input: () => ({ currency: 'EUR' }),
    // A setting of the caller's own account: the owner's stays as it was (see the fingerprint).
    asOtherUser: (answer) => expect(answer).toEqual({ data: { currency: 'EUR' } }),
  },
  signOutEverywhereAction: {
    input: () => ({}),
    // Ends the caller's sessions only (the owner's session version is unchanged: see the fingerprint).
    asOtherUser: (answer) => expect(answer).toEqual({ redirect: '/sign-in' }),
  },
};

let actions: Record<string, { file: string; action: ServerAction }>;
let owner: Owner;
let other: TestSession;
/** A session whose cookie decrypts but whose version the database has moved past (signed out everywhere). */
let stale: TestSession;

beforeAll(async () => {
  actions = await loadServerActions(APP);
  // The owner connects through the real action, so they have a connection, its key, runs and holdings.
  const session = await signUpAndSignIn();
  const account = binanceAccount(sim);
  actAs(session);
  const connected = (await actions.connectExchangeAction!.action({
    exchangeId: 'binance',
    credentials: account.credentials,
    label: 'Owner’s account',
  })) as { data?: { ok: boolean; connection?: { id: string } } };
  if (!connected.data?.ok || !connected.data.connection) throw new Error(`setup: ${JSON.stringify(connected)}`);
  owner = {
    session,
    connectionId: connected.data.connection.id,
    credentials: account.credentials,
    label: 'Owner’s account',
  };
  other = await signUpAndSignIn();
  stale = await signUpAndSignIn();
  await endAllSessions(stale.userId);
}, 60_000);

describe('server actions', () => {
  it('are found by reading app/, and each one has a case in this test', () => {
    expect(inlineServerDirectives(APP)).toEqual([]);
    expect(Object.keys(actions).sort()).toEqual([...Object.keys(CASES), ...Object.keys(PUBLIC_ACTIONS)].sort());
  });

  it('are built from authActionClient, except the named public ones (built from actionClient)', () => {
    for (const [name, { action }] of Object.entries(actions)) {
      expect(typeof action, name).toBe('function');
      const expected: ActionClientName = name in PUBLIC_ACTIONS ? 'actionClient' : 'authActionClient';
      expect(builtFrom.get(action)?.client, name).toBe(expected);
    }
  });

  describe.each(Object.keys(PUBLIC_ACTIONS))('%s (public)', (name) => {
    it('without a session, answers bad input on its fields and changes nothing', async () => {
      const before = await databaseFingerprint();
      actAs(null);
      const answer = await callAction(actions[name]!.action, PUBLIC_CASES[name]);
      expect(answer).toEqual(PUBLIC_ANSWERS[name]);
      expect(await databaseFingerprint()).toEqual(before);
    });
  });

  describe.each(Object.keys(CASES))('%s', (name) => {
    it('refuses a request without a valid session, before reading its input, and changes nothing', async () => {
      const { action } = actions[name]!;
      const before = await databaseFingerprint();
      const exchangeCalls = sim.log().length;
      actAs(null);
      expect(await callAction(action, CASES[name]!.input(owner))).toEqual({ serverError: SESSION_ENDED });
      // Nor with a forged cookie, or one the database no longer honours.
      actAs({ ...owner.session, cookies: new Map([['authjs.session-token', 'forged']]) });
      expect(await callAction(action, CASES[name]!.input(owner))).toEqual({ serverError: SESSION_ENDED });
      actAs(stale);
      expect(await callAction(action, CASES[name]!.input(owner))).toEqual({ serverError: SESSION_ENDED });
      // The session is checked before the input: malformed input tells a stranger nothing about the schema.
      actAs(null);
      expect(await callAction(action, { connectionId: 'not-a-uuid', keepHoldings: 'maybe' })).toEqual({
        serverError: SESSION_ENDED,
      });
      expect(await databaseFingerprint()).toEqual(before);
      expect(sim.log()).toHaveLength(exchangeCalls);
      expect(eventApi.events).toEqual([]);
    });

    it('does not reach another user’s rows', async () => {
      const { action } = actions[name]!;
      const ownersRows = await databaseFingerprint(owner.session.userId);
      const exchangeCalls = sim.log().length;
      actAs(other);
      await CASES[name]!.asOtherUser(await callAction(action, CASES[name]!.input(owner)), owner, other);
      expect(await databaseFingerprint(owner.session.userId)).toEqual(ownersRows);
      const events = JSON.stringify(eventApi.events);
      expect(events).not.toContain(owner.connectionId);
      expect(events).not.toContain(owner.session.userId);
      if (!CASES[name]!.callsExchangeForOtherUser) expect(sim.log()).toHaveLength(exchangeCalls);
      // The owner is still signed in: nothing the other user did ended their session.
      actAs(owner.session);
      expect(await getCurrentUser()).toMatchObject({ id: owner.session.userId });
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Route handlers

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Handler = (
  request: NextRequest,
  context: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;

interface Answer {
  status: number;
  location: string | null;
  setCookie: string[];
  body: string;
}

/** Sends a request to a handler as the test browser (its cookies, from actAs) would. */
async function send(
  handler: Handler,
  url: string,
  init: { method: string; body?: string; headers?: Record<string, string> },
) {
  const headers = new Headers(await nextHeaders.headers());
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
  const request = new NextRequest(new URL(url, 'http://coinsphere.test'), {
    method: init.method,
    body: init.body,
    headers,
  });
  const segments = new URL(url, 'http://coinsphere.test').pathname.split('/').slice(3);
  const response = await handler(request, { params: Promise.resolve({ nextauth: segments }) });
  return {
    status: response.status,
    location: response.headers.get('location'),
    setCookie: response.headers.getSetCookie(),
    body: await response.text(),
  } satisfies Answer;
}

interface RouteRequest {
  url: string;
  body?: string;
  headers?: Record<string, string>;
}

interface RouteCase {
  /** Public by design, and why; otherwise a request without a valid session gets 401 or a redirect. */
  public?: string;
  /** The requests this method is tried with, aimed at the owner's data wherever the route takes an id. */
  requests: (owner: Owner) => RouteRequest[];
  /** What a request without a session (none, forged, or ended) gets; default: 401 or a redirect to sign in. */
  anonymous?: (answer: Answer, request: RouteRequest) => void;
  /** What the owner gets: proves the route does answer with data to the right user. */
  asOwner?: (answer: Answer, owner: Owner) => void;
  /** Default: the owner's rows, ids, label and email appear nowhere in the answer. */
  asOtherUser?: (answer: Answer, owner: Owner, other: TestSession) => void;
}

const refusedWithoutSession = (answer: Answer) => {
  if (answer.status >= 300 && answer.status < 400)
    expect(answer.location).toMatch(/\/sign-in|\/api\/auth\/(signin|error)/);
  else expect(answer.status).toBe(401);
};

const sessionCookieSet = (answer: Answer) => answer.setCookie.some((cookie) => /session-token=[^;]+/.test(cookie));

/** A Coinsphere-like production setting for /api/inngest: cloud mode with a signing key (see ROUTE_CASES). */
const SIGNING_KEY = `signkey-prod-${randomBytes(32).toString('hex')}`;

const ROUTE_CASES: Record<string, RouteCase> = {
  'GET /api/health': {
    public: 'for load balancers and monitors: whether the database answers and the job mode, nothing about anyone',
    requests: () => [{ url: '/api/health' }],
    anonymous: (answer) => {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({
        status: 'ok',
        database: 'ok',
        jobs: expect.stringMatching(/^(dev|cloud)$/),
      });
    },
    asOwner: (answer) => expect(answer.status).toBe(200),
  },
  'GET /api/sync-status': {
    requests: () => [{ url: '/api/sync-status' }],
    asOwner: (answer, owner) => {
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(owner.connectionId);
    },
  },
  'GET /api/export/holdings': {
    requests: () => [{ url: '/api/export/holdings' }],
    asOwner: (answer, owner) => {
      expect(answer.status).toBe(200);
      expect(answer.body.startsWith(`${HOLDINGS_HEADER.join(',')}\r\n`)).toBe(true);
      expect(answer.body).toContain(owner.label);
    },
    // The other user's session may have ended in an action case above (signOutEverywhereAction): either way,
    // nothing of the owner's in the answer (checked for every route). lib/export/holdings.db.test.ts proves the
    // rows are the caller's own, with two users holding the same assets.
  },
  'GET /api/export/history': {
    requests: () => [{ url: '/api/export/history' }],
    asOwner: (answer) => {
      expect(answer.status).toBe(200);
      expect(answer.body.startsWith(`${HISTORY_HEADER.join(',')}\r\n`)).toBe(true);
    },
  },
  'GET /api/export/activity': {
    // Filtered by the owner's connection: another user gets a header and nothing else (lib/export/activity.db.test.ts
    // proves the rows are the caller's own).
    requests: (owner) => [
      { url: `/api/export/activity?connection=${owner.connectionId}` },
      { url: `/api/export/activity?format=koinly&connection=${owner.connectionId}` },
    ],
    asOwner: (answer) => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(new RegExp(`^(${ACTIVITY_HEADER.join(',')}|${KOINLY_HEADER.join(',')})\r\n`));
    },
  },
  'GET /api/portfolio/sources': {
    // One asset's sources, scoped by the caller's user id in SQL (lib/valuation/portfolio-value.db.test.ts proves
    // another user's holdings of the same asset are not among them).
    requests: () => [{ url: '/api/portfolio/sources?asset=BTC' }, { url: '/api/portfolio/sources' }],
    asOwner: (answer) => {
      // The first request names an asset, the second none (refused on its field, never a 500).
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      if (answer.status === 200) expect(body).toMatchObject({ currency: 'USD', sources: expect.any(Array) });
      else expect([answer.status, body]).toEqual([400, { error: 'Asset is required.', field: 'asset' }]);
    },
  },
  'GET /api/auth/[...nextauth]': {
    public: 'Auth.js: the session (null without one), the CSRF token and the provider list',
    requests: () => [{ url: '/api/auth/session' }, { url: '/api/auth/csrf' }, { url: '/api/auth/providers' }],
    anonymous: (answer, request) => {
      expect(answer.status).toBe(200);
      if (request.url === '/api/auth/session') expect(answer.body).toBe('null');
    },
    asOwner: (answer, owner) => {
      if (answer.body.includes('"user"')) expect(answer.body).toContain(owner.session.email);
    },
    asOtherUser: (answer, owner, other) => {
      expect(answer.body).not.toContain(owner.session.email);
      if (answer.body.includes('"user"')) expect(answer.body).toContain(other.email);
    },
  },
  'POST /api/auth/[...nextauth]': {
    public: 'Auth.js sign-in and sign-out; each needs its CSRF token, which another site cannot read',
    // The owner's real password, posted without the CSRF token a form on our pages carries.
    requests: (owner) => [
      {
        url: '/api/auth/callback/credentials',
        body: new URLSearchParams({ email: owner.session.email, password: owner.session.password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      },
      {
        url: '/api/auth/signout',
        body: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      },
    ],
    anonymous: (answer) => {
      expect(answer.status).toBe(302);
      expect(answer.location).toMatch(/\/api\/auth\/error\?error=MissingCSRF|\/sign-in\?error=MissingCSRF/);
      expect(sessionCookieSet(answer)).toBe(false);
    },
    asOwner: (answer) => {
      expect(answer.location).toMatch(/MissingCSRF/);
      expect(sessionCookieSet(answer)).toBe(false);
    },
    asOtherUser: (answer) => {
      expect(answer.location).toMatch(/MissingCSRF/);
      expect(sessionCookieSet(answer)).toBe(false);
    },
  },
  // Inngest calls /api/inngest, signed with INNGEST_SIGNING_KEY. On this branch the SDK checks the
  // signature in cloud mode (production: INNGEST_DEV unset); these cases run the route that way. In dev
  // mode (INNGEST_DEV=1, `npm run dev` and the other tests) the SDK accepts unsigned calls by design.
  'GET /api/inngest': {
    // Without a valid signature not even the introspection's counts and flags.
    requests: () => [{ url: '/api/inngest' }],
    asOwner: (answer) => expect(answer.status).toBe(401),
    asOtherUser: (answer) => expect(answer.status).toBe(401),
  },
  'POST /api/inngest': {
    requests: (owner) => [
      {
        url: `/api/inngest?fnId=coinsphere-sync-connection&stepId=step`,
        body: JSON.stringify({
          event: {
            name: 'connections/sync.requested',
            data: { connectionId: owner.connectionId, userId: owner.session.userId },
          },
          events: [],
          steps: {},
          ctx: { run_id: 'forged', attempt: 0 },
        }),
        headers: {
          'content-type': 'application/json',
          'x-inngest-signature': `t=${Math.floor(Date.now() / 1000)}&s=forged`,
        },
      },
    ],
    anonymous: (answer) => {
      expect(answer.status).toBe(401);
      expect(answer.body).not.toMatch(/"op"|"data"/);
    },
    asOwner: (answer) => expect(answer.status).toBe(401),
    asOtherUser: (answer) => expect(answer.status).toBe(401),
  },
  'PUT /api/inngest': {
    public: 'Inngest sync: the SDK registers the functions with the configured Inngest server, never with the caller',
    requests: () => [{ url: '/api/inngest', body: '' }],
    anonymous: (answer) => {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.body).not.toMatch(/sync-connection|schedule-syncs/);
    },
  },
};

describe('route handlers', () => {
  let routes: Record<string, Handler>;

  beforeAll(async () => {
    routes = {};
    for (const { pattern, file } of routeHandlerFiles(APP)) {
      const exports = (await import(file)) as Record<string, unknown>;
      for (const method of HTTP_METHODS) {
        if (typeof exports[method] === 'function') routes[`${method} ${pattern}`] = exports[method] as Handler;
      }
    }
  });

  /** /api/inngest as in production: cloud mode with a signing key (the rest of this file runs it in dev mode). */
  const previousInngestEnv = {
    INNGEST_DEV: process.env.INNGEST_DEV,
    INNGEST_SIGNING_KEY: process.env.INNGEST_SIGNING_KEY,
  };
  const asInProduction = (key: string) => {
    if (!key.includes('/api/inngest')) return;
    process.env.INNGEST_DEV = '0';
    process.env.INNGEST_SIGNING_KEY = SIGNING_KEY;
    inngest.setEnvVars();
  };
  afterEach(() => {
    for (const [name, value] of Object.entries(previousInngestEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    inngest.setEnvVars();
  });

  it('are found by reading app/api, and every exported method has a case in this test', () => {
    expect(Object.keys(routes).sort()).toEqual(Object.keys(ROUTE_CASES).sort());
  });

  describe.each(Object.keys(ROUTE_CASES))('%s', (key) => {
    const method = key.split(' ')[0]!;
    const routeCase = ROUTE_CASES[key]!;

    it(`${routeCase.public ? 'is public by design, and answers' : 'refuses'} a request without a valid session without data, and changes nothing`, async () => {
      asInProduction(key);
      const before = await databaseFingerprint();
      const exchangeCalls = sim.log().length;
      for (const session of [
        null,
        { ...owner.session, cookies: new Map([['authjs.session-token', 'forged']]) },
        stale,
      ]) {
        for (const request of routeCase.requests(owner)) {
          actAs(session);
          const answer = await send(routes[key]!, request.url, {
            method,
            body: request.body,
            headers: request.headers,
          });
          (routeCase.anonymous ?? refusedWithoutSession)(answer, request);
          for (const secret of [owner.connectionId, owner.label, owner.session.userId, owner.session.email]) {
            expect(answer.body, `${key} ${request.url}`).not.toContain(secret);
          }
          expect(sessionCookieSet(answer), `${key} ${request.url} signed someone in`).toBe(false);
        }
      }
      expect(await databaseFingerprint()).toEqual(before);
      expect(sim.log()).toHaveLength(exchangeCalls);
      expect(eventApi.events).toEqual([]);
    });

    it('answers another user without the owner’s data, and the owner with theirs', async () => {
      asInProduction(key);
      const ownersRows = await databaseFingerprint(owner.session.userId);
      for (const request of routeCase.requests(owner)) {
        actAs(other);
        const answer = await send(routes[key]!, request.url, { method, body: request.body, headers: request.headers });
        if (routeCase.asOtherUser) routeCase.asOtherUser(answer, owner, other);
        for (const secret of [owner.connectionId, owner.label, owner.session.userId, owner.session.email]) {
          expect(answer.body, `${key} ${request.url}`).not.toContain(secret);
        }
        if (routeCase.asOwner) {
          actAs(owner.session);
          routeCase.asOwner(
            await send(routes[key]!, request.url, { method, body: request.body, headers: request.headers }),
            owner,
          );
        }
      }
      expect(await databaseFingerprint(owner.session.userId)).toEqual(ownersRows);
      expect(JSON.stringify(eventApi.events)).not.toContain(owner.connectionId);
    });
  });
});
