// Every server action under app/, found by reading the files (not from a list): each is built from the
// authenticated client (or is one of the named public ones), refuses a request without a session, and
// cannot reach another user's rows. A new action without a case below fails the first test.
//
// What is replaced, and why:
// - `next/headers` (lib/testing/session.ts): the request Next hands an action. Cookies and headers come
//   from a test browser instead; next-auth's real sign-in sets the session cookie, and getCurrentUser
//   decrypts it and checks its session version against the database exactly as in production.
// - `@/lib/safe-action` is the real module with its two clients wrapped to record which client built
//   each action; nothing about their behaviour changes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getCurrentUser } from '@/lib/auth/session';
import { endAllSessions } from '@/lib/auth/users';
import { listConnections } from '@/lib/connections/list';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { binanceAccount, startFakeEventApi, withKeyringAndEventApi } from '@/lib/testing/fixtures';
import { actAs, databaseFingerprint, signUpAndSignIn, type TestSession } from '@/lib/testing/session';
import { withSimulator } from '@/lib/testing/simulator';

type Client = 'actionClient' | 'authActionClient';
const builtFrom = vi.hoisted(() => new WeakMap<object, Client>());

vi.mock('next/headers', async () => (await import('@/lib/testing/session')).nextHeaders);

vi.mock('@/lib/safe-action', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/safe-action')>();
  // Follows a builder chain (`.inputSchema(…).action(…)`) and tags the function `.action` returns.
  // Methods are called on the real builder (`this` = target), so private state keeps working.
  const traced = <T extends object>(builder: T, client: Client): T =>
    new Proxy(builder, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (property === 'action' || property === 'stateAction') {
            builtFrom.set(out as object, client);
            return out;
          }
          return typeof out === 'object' && out !== null ? traced(out, client) : out;
        };
      },
    });
  return {
    ...real,
    actionClient: traced(real.actionClient, 'actionClient'),
    authActionClient: traced(real.authActionClient, 'authActionClient'),
  };
});

withTestDatabase({ isolated: true });
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
let eventApi: Awaited<ReturnType<typeof startFakeEventApi>>;
withKeyringAndEventApi((api) => (eventApi = api));

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';
const NOT_FOUND = { ok: false, message: 'Connection not found.' };

const APP = path.join(import.meta.dirname);

/** Files under app/ whose first statement is the 'use server' directive: every export is an action. */
function serverActionFiles(dir = APP): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return serverActionFiles(file);
    if (!/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) return [];
    const source = readFileSync(file, 'utf8').replace(/^(\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/, '');
    return /^(['"])use server\1/.test(source) ? [file] : [];
  });
}

/** Inline `'use server'` (inside a function) would make an action this test cannot find by file. */
function inlineServerDirectives(dir = APP): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return inlineServerDirectives(file);
    if (!/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) return [];
    const lines = readFileSync(file, 'utf8').split('\n');
    const first = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    return lines.flatMap((line, index) =>
      index !== first && /^\s*(['"])use server\1/.test(line) ? [`${path.relative(APP, file)}:${index + 1}`] : [],
    );
  });
}

type Action = (input?: unknown) => Promise<unknown>;

/** Runs an action as the browser would; a redirect (Next throws it) comes back as `{ redirect }`. */
async function call(action: Action, input: unknown): Promise<unknown> {
  try {
    return await action(input);
  } catch (error) {
    const digest = (error as { digest?: unknown }).digest;
    if (typeof digest === 'string' && digest.startsWith('NEXT_REDIRECT')) return { redirect: digest.split(';')[2] };
    throw error;
  }
}

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
  changePasswordAction: {
    input: (owner) => ({ currentPassword: owner.session.password, newPassword: 'a brand new password' }),
    // The owner's password is not the caller's: refused on the field, the owner's hash untouched.
    asOtherUser: (answer) =>
      expect(answer).toEqual({
        validationErrors: { currentPassword: { _errors: ['Your current password is not correct.'] } },
      }),
  },
  signOutEverywhereAction: {
    input: () => ({}),
    // Ends the caller's sessions only (the owner's session version is unchanged: see the fingerprint).
    asOtherUser: (answer) => expect(answer).toEqual({ redirect: '/sign-in' }),
  },
};

let actions: Record<string, { file: string; action: Action }>;
let owner: Owner;
let other: TestSession;
/** A session whose cookie decrypts but whose version the database has moved past (signed out everywhere). */
let stale: TestSession;

beforeAll(async () => {
  actions = {};
  for (const file of serverActionFiles()) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const [name, action] of Object.entries(exports)) {
      if (actions[name]) throw new Error(`Two server actions are named ${name}`);
      actions[name] = { file: path.relative(APP, file), action: action as Action };
    }
  }
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
    expect(inlineServerDirectives()).toEqual([]);
    expect(Object.keys(actions).sort()).toEqual([...Object.keys(CASES), ...Object.keys(PUBLIC_ACTIONS)].sort());
  });

  it('are built from authActionClient, except the named public ones (built from actionClient)', () => {
    for (const [name, { action }] of Object.entries(actions)) {
      expect(typeof action, name).toBe('function');
      const expected: Client = name in PUBLIC_ACTIONS ? 'actionClient' : 'authActionClient';
      expect(builtFrom.get(action), name).toBe(expected);
    }
  });

  describe.each(Object.keys(PUBLIC_ACTIONS))('%s (public)', (name) => {
    it('without a session, answers bad input on its fields and changes nothing', async () => {
      const before = await databaseFingerprint();
      actAs(null);
      const answer = await call(actions[name]!.action, PUBLIC_CASES[name]);
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
      expect(await call(action, CASES[name]!.input(owner))).toEqual({ serverError: SESSION_ENDED });
      // Nor with a forged cookie, or one the database no longer honours.
      actAs({ ...owner.session, cookies: new Map([['authjs.session-token', 'forged']]) });
      expect(await call(action, CASES[name]!.input(owner))).toEqual({ serverError: SESSION_ENDED });
      actAs(stale);
      expect(await call(action, CASES[name]!.input(owner))).toEqual({ serverError: SESSION_ENDED });
      // The session is checked before the input: malformed input tells a stranger nothing about the schema.
      actAs(null);
      expect(await call(action, { connectionId: 'not-a-uuid', keepHoldings: 'maybe' })).toEqual({
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
      await CASES[name]!.asOtherUser(await call(action, CASES[name]!.input(owner)), owner, other);
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
