// Bad input to every server action: 200 generated payloads each (fast-check) — wrong types, missing and
// extra fields, huge strings, text from every Unicode category, control characters and direction marks,
// SQL and HTML, unknown exchange ids, malformed PEMs, out-of-range intervals — mixed with valid ones.
// Each answer is a validation error that names its field, or (for a payload that is in fact valid) a
// normal result. No payload makes the app log an error or answer the generic "Something went wrong";
// an invalid one writes nothing and sends nothing to the exchange.
//
// Two kinds of refusal are counted apart: by the framework (next-safe-action parsing the action's zod
// schema, before the action body runs) and by the application (lib/ answering field errors from inside
// the body, e.g. credentials checked per exchange, or a wrong current password).
import path from 'node:path';
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getCurrentUser } from '@/lib/auth/session';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { binanceAccount, withKeyringAndEventApi } from '@/lib/testing/fixtures';
import { callAction, loadServerActions, type ActionBuild, type ServerAction } from '@/lib/testing/server-actions';
import { actAs, databaseDigest, signUpAndSignIn, type TestSession } from '@/lib/testing/session';
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
withKeyringAndEventApi(() => {});

const NUM_RUNS = 200;
const GENERIC_ERROR = 'Something went wrong on our side. Try again in a moment.';

// ---------------------------------------------------------------------------------------------------
// Values

const CONTROL = ['\u0000', '\u0007', '\b', '\n', '\r', '\t', '\u001B', '\u007F', '\u0085', '\u009B'];
const DIRECTION = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
];
const INVISIBLE = ['\u200B', '\u200D', '\uFEFF', '\u00A0', '\u2028', '\u3000'];

/** Text with the given characters mixed into printable ASCII. */
const laced = (chars: string[]) =>
  fc
    .array(fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), fc.constantFrom(...chars)), {
      minLength: 1,
      maxLength: 8,
    })
    .map((parts) => parts.join(''));

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }), // every Unicode category, as whole graphemes
  fc.string({ unit: 'binary', maxLength: 60 }), // any code point, including unassigned and private use
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }),
  laced(CONTROL),
  laced(DIRECTION),
  laced(INVISIBLE),
);

const injection = fc.constantFrom(
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "x'); delete from exchange_connections; --",
  '$$ select pg_sleep(5) $$',
  '\\x00\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  '{{7*7}}${7*7}',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
);

const huge = fc.constantFrom('x'.repeat(20_001), 'é'.repeat(100_000), '🚀'.repeat(30_000), 'a'.repeat(1_000_000));

const oddNumber = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, -1, 59, 60.5, 86_401, 1e308, 2 ** 53, Number.MIN_VALUE),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double(),
);

/** Anything the RSC protocol can carry to an action: objects, arrays, dates, maps, sets, big integers, typed arrays. */
const anyValue = fc.anything({
  maxDepth: 2,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withNullPrototype: true,
  withSparseArray: true,
});

const nasty = fc.oneof(
  text,
  injection,
  huge,
  oddNumber,
  anyValue,
  fc.constantFrom(null, undefined, true, false, '', ' '),
);

const malformedPem = fc.constantFrom(
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----',
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBcvF3RUd3ZxUl',
  '-----BEGIN PRIVATE KEY-----\n!!!!not base64!!!!\n-----END PRIVATE KEY-----',
  '-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIBcv\\n-----END EC PRIVATE KEY-----\\n',
  '-----BEGIN EC PRIVATE KEY-----\nМНcСАQЕЕ\n-----END EC PRIVATE KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n-----BEGIN EC PRIVATE KEY-----',
  '{"name": "organizations/x/apiKeys/y", "privateKey": "-----BEGIN EC PRIVATE KEY-----\\n"}',
);

const keyValue = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((k) => `“${k}”`) },
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: malformedPem },
  { weight: 2, arbitrary: nasty },
);

const credentials = fc.oneof(
  fc.record({ apiKey: keyValue, secret: keyValue, password: keyValue }, { requiredKeys: [] }),
  fc.dictionary(fc.oneof(fc.constantFrom('apiKey', 'secret', 'privateKey', 'uid', '__proto__'), text), keyValue, {
    maxKeys: 20,
  }),
  nasty,
);

const exchangeId = fc.oneof(
  fc.constantFrom('binance', 'kraken', 'kucoin', 'coinbase'),
  fc.constantFrom('mtgox', 'BINANCE', ' binance ', 'binance\u0000', 'binance\u202E', 'bínance', 'x'.repeat(65)),
  nasty,
);

const flag = fc.oneof(fc.boolean(), fc.constantFrom('true', 'false', 0, 1, 'yes'), nasty);
const label = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 70 }), laced(DIRECTION), laced(CONTROL), nasty);
const interval = fc.oneof(oddNumber, fc.integer({ min: 60, max: 86_400 }), fc.constantFrom('300', '1e3', ''), nasty);
const password = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), huge, nasty);
const email = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom('a@b', 'A@EXAMPLE.COM ', `${'x'.repeat(250)}@e.com`, 'a\u0000@b.co', 'ａ@ｂ.co', 'a@b.co\n'),
  nasty,
);

/** Connection ids: random UUIDs, the caller's own connection (where acting on it is harmless), and not-ids. */
function connectionIdOf(own: () => string | undefined) {
  return fc.oneof(
    fc.uuid(),
    fc.constant(null).map(() => own() ?? '00000000-0000-4000-8000-000000000000'),
    fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' or '1'='1"),
    nasty,
  );
}

let ownConnectionId: string | undefined;
const ownConnection = () => ownConnectionId;

interface ActionInput {
  /** A payload the action accepts: each generated one starts from it or from nothing. */
  valid: () => Record<string, unknown>;
  /** Each field and what is tried in it. */
  fields: Record<string, fc.Arbitrary<unknown>>;
}

const UNKNOWN_KEY = { apiKey: 'fuzz-key-the-exchange-does-not-know', secret: 'fuzz-secret-0123456789' };
const EXISTING_EMAIL = () => session.email;

/** Each action's input. A new action without an entry fails the suite. */
const INPUTS: Record<string, ActionInput> = {
  testConnectionAction: {
    valid: () => ({ exchangeId: 'binance', credentials: UNKNOWN_KEY }),
    fields: { exchangeId, credentials, sandbox: flag },
  },
  connectExchangeAction: {
    valid: () => ({ exchangeId: 'binance', credentials: UNKNOWN_KEY, label: 'Fuzz' }),
    fields: { exchangeId, credentials, sandbox: flag, label, acknowledgeTradingPermission: flag },
  },
  syncNowAction: {
    valid: () => ({ connectionId: ownConnectionId }),
    fields: { connectionId: connectionIdOf(ownConnection) },
  },
  syncAllAction: { valid: () => ({}), fields: {} },
  updateConnectionAction: {
    valid: () => ({ connectionId: ownConnectionId, label: 'Fuzz label' }),
    fields: {
      connectionId: connectionIdOf(ownConnection),
      label,
      syncIntervalSeconds: interval,
      autoSync: flag,
      credentials,
      acknowledgeTradingPermission: flag,
    },
  },
  // Never the caller's own connection: a valid payload would disconnect it for the other actions.
  disconnectAction: {
    valid: () => ({ connectionId: '5f0c7a57-3c55-4c36-9d8e-3bb3f0e5b9a1', keepHoldings: true }),
    fields: { connectionId: connectionIdOf(() => undefined), keepHoldings: flag },
  },
  // Never the caller's own connection: a valid payload would start an import for it.
  addMarketAction: {
    valid: () => ({ connectionId: '5f0c7a57-3c55-4c36-9d8e-3bb3f0e5b9a1', stream: 'BTC/USDT' }),
    fields: { connectionId: connectionIdOf(() => undefined), stream: label },
  },
  historyProgressAction: {
    valid: () => ({ connectionId: ownConnectionId }),
    fields: { connectionId: connectionIdOf(ownConnection) },
  },
  changePasswordAction: {
    valid: () => ({ currentPassword: 'not the current password', newPassword: 'a brand new passphrase' }),
    fields: { currentPassword: password, newPassword: password },
  },
  signOutEverywhereAction: { valid: () => ({}), fields: {} },
  setDisplayCurrencyAction: {
    valid: () => ({ currency: 'EUR' }),
    fields: {
      currency: fc.oneof(
        fc.constantFrom('USD', 'EUR', 'GBP', 'CHF', 'JPY'),
        fc.constantFrom('eur', ' EUR', 'EUR\u0000', 'BTC', 'XAU', 'usd', ''),
        nasty,
      ),
    },
  },
  signInAction: {
    valid: () => ({ email: 'nobody@example.com', password: 'not the password' }),
    fields: { email, password },
  },
  signUpAction: {
    valid: () => ({ name: 'Fuzz', email: EXISTING_EMAIL(), password: 'long enough password' }),
    fields: { name: label, email, password },
  },
  signOutAction: { valid: () => ({}), fields: {} },
};

/**
 * A valid payload with one field replaced or removed, or with extra fields; the fields in any
 * combination; or something that is not an object of fields at all.
 */
function payloads({ valid, fields }: ActionInput): fc.Arbitrary<unknown> {
  const names = Object.keys(fields);
  const extra = fc.dictionary(fc.oneof(fc.constantFrom('userId', 'id', '__proto__', 'apiKeyLast4'), text), nasty, {
    minKeys: 1,
    maxKeys: 3,
  });
  const withExtra = extra.map((more) => ({ ...more, ...valid() }));
  // An action without fields has one valid input, `{}`: tried now and then, not most of the time.
  if (names.length === 0) {
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant(null).map(() => valid()) },
      { weight: 4, arbitrary: withExtra },
      { weight: 2, arbitrary: nasty },
    );
  }
  const field = fc.constantFrom(...names);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.oneof(...names.map((name) => fields[name]!.map((value) => ({ ...valid(), [name]: value })))),
    },
    {
      weight: 1,
      arbitrary: field.map((name) => Object.fromEntries(Object.entries(valid()).filter(([key]) => key !== name))),
    },
    { weight: 1, arbitrary: withExtra },
    { weight: 3, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    { weight: 1, arbitrary: nasty },
  );
}

// ---------------------------------------------------------------------------------------------------
// Answers

type Verdict = 'framework' | 'application' | 'normal';

interface Tally {
  payloads: number;
  framework: number;
  application: number;
  normal: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every message in a next-safe-action validationErrors tree, with its field path ('' for the input itself). */
function validationMessages(node: unknown, at: string[] = []): { field: string; message: unknown }[] {
  if (!isRecord(node)) return [];
  const own = Array.isArray(node._errors) ? node._errors.map((message) => ({ field: at.join('.'), message })) : [];
  return [
    ...own,
    ...Object.entries(node)
      .filter(([key]) => key !== '_errors')
      .flatMap(([key, child]) => validationMessages(child, [...at, key])),
  ];
}

/** Checks one answer and says who refused it, if anyone. */
function judge(payload: unknown, schemaAccepts: boolean, answer: unknown): Verdict {
  expect(isRecord(answer), 'an answer object').toBe(true);
  const result = answer as Record<string, unknown>;
  expect(result.serverError, 'no application error').not.toBe(GENERIC_ERROR);

  if (result.validationErrors !== undefined) {
    const messages = validationMessages(result.validationErrors);
    expect(messages.length, 'at least one message').toBeGreaterThan(0);
    for (const { message } of messages) expect(typeof message === 'string' && message.length > 0).toBe(true);
    // A field is named, unless the input was not an object of fields at all (or the form as a whole is
    // wrong, like an update that changes nothing, whose message names every field it could change).
    if (isRecord(payload) && !messages.some(({ field }) => field !== '')) {
      expect(String(messages[0]!.message)).toMatch(/label|interval|auto-sync|key|password|email|field/i);
    }
    return schemaAccepts ? 'application' : 'framework';
  }
  // Anything the schema refuses must have been refused by the framework, before the action body.
  expect(schemaAccepts, `schema refused ${JSON.stringify(result).slice(0, 200)} but the action ran`).toBe(true);
  const data = result.data;
  if (isRecord(data) && data.ok === false && isRecord(data.fieldErrors)) {
    expect(Object.keys(data.fieldErrors).length).toBeGreaterThan(0);
    for (const message of Object.values(data.fieldErrors))
      expect(typeof message === 'string' && message !== '').toBe(true);
    return 'application';
  }
  // A normal result: data, a redirect, or a sentence meant for the user (e.g. "Email or password is incorrect.").
  expect(data !== undefined || typeof result.redirect === 'string' || typeof result.serverError === 'string').toBe(
    true,
  );
  return 'normal';
}

// ---------------------------------------------------------------------------------------------------

let actions: Record<string, { file: string; action: ServerAction }>;
let session: TestSession;
const tallies: Record<string, Tally> = {};
const logged: string[] = [];

const signUpLimit = process.env.LIMIT_SIGN_UPS;
beforeAll(async () => {
  // Every payload comes from one address: the sign-up throttle (its own tests are in
  // app/(auth)/sign-up-throttle.db.test.ts) would answer "try again" to the valid ones.
  process.env.LIMIT_SIGN_UPS = '1000000/3600';
  actions = await loadServerActions(path.join(import.meta.dirname));
  session = await signUpAndSignIn();
  // The caller has a connection of their own, so ids can hit a real row.
  actAs(session);
  const account = binanceAccount(sim);
  const connected = (await actions.connectExchangeAction!.action({
    exchangeId: 'binance',
    credentials: account.credentials,
  })) as { data?: { ok: boolean; connection?: { id: string } } };
  ownConnectionId = connected.data?.connection?.id;
  if (!ownConnectionId) throw new Error(`setup: ${JSON.stringify(connected)}`);

  // Every line anything logs while the payloads run: the application's logger (JSON lines on stdout;
  // lib/safe-action's handleServerError logs there) at warn and above, and Next's and Auth.js's console.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const line of text.split('\n')) {
        const level = /"level":"(warn|error|fatal)"/.exec(line)?.[1];
        if (level) logged.push(`${level === 'fatal' ? 'error' : level}: ${line}`);
      }
      return write(chunk, ...rest);
    });
  }
  for (const level of ['error', 'warn', 'info', 'log', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(
        `${level}: ${args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' ')}`,
      );
    });
  }
}, 60_000);

afterAll(() => {
  if (signUpLimit === undefined) delete process.env.LIMIT_SIGN_UPS;
  else process.env.LIMIT_SIGN_UPS = signUpLimit;
  vi.restoreAllMocks();
  const total = Object.values(tallies).reduce(
    (sum, t) => ({
      payloads: sum.payloads + t.payloads,
      framework: sum.framework + t.framework,
      application: sum.application + t.application,
      normal: sum.normal + t.normal,
    }),
    { payloads: 0, framework: 0, application: 0, normal: 0 },
  );
  const rows = Object.entries(tallies).map(
    ([name, t]) =>
      `  ${name.padEnd(26)} ${String(t.payloads).padStart(5)} ${String(t.framework).padStart(10)} ${String(t.application).padStart(12)} ${String(t.normal).padStart(7)}`,
  );
  process.stdout.write(
    [
      '',
      `Bad-input suite: ${Object.keys(tallies).length} actions covered, ${total.payloads} payloads tried, ` +
        `${total.framework + total.application} rejected by validation (${total.framework} by the framework ` +
        `before the action ran, ${total.application} by the application), ${total.normal} valid with a normal result`,
      `  ${'action'.padEnd(26)} ${'tried'.padStart(5)} ${'framework'.padStart(10)} ${'application'.padStart(12)} ${'normal'.padStart(7)}`,
      ...rows,
      '',
    ].join('\n'),
  );
});

describe('bad input to every server action', () => {
  it('has a generator for every action found under app/', () => {
    expect(Object.keys(actions).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  describe.each(Object.keys(INPUTS))('%s', (name) => {
    it(`answers ${NUM_RUNS} generated payloads with a field error or a normal result, logging no error and writing nothing when invalid`, async () => {
      const { action } = actions[name]!;
      const build = builtFrom.get(action)!;
      const schema = build.schema as z.ZodType;
      const tally: Tally = (tallies[name] = { payloads: 0, framework: 0, application: 0, normal: 0 });
      let digest = await databaseDigest();

      await fc.assert(
        fc.asyncProperty(payloads(INPUTS[name]!), async (payload) => {
          // Who calls: the signed-in user for the authenticated actions, a visitor for the public ones.
          actAs(build.client === 'authActionClient' ? session : null);
          const schemaAccepts = (await schema.safeParseAsync(payload)).success;
          const before = digest;
          const exchangeRequests = sim.log().length;
          const logLines = logged.length;

          const answer = await callAction(action, payload);
          const verdict = judge(payload, schemaAccepts, answer);

          const problems = logged.slice(logLines).filter((line) => /^(error|warn):/.test(line));
          expect(
            problems.filter((line) => !ALLOWED_LOG.test(line)),
            'nothing logged as an error',
          ).toEqual([]);
          digest = await databaseDigest();
          if (verdict !== 'normal') {
            expect(digest, 'an invalid payload wrote nothing').toBe(before);
            expect(sim.log()).toHaveLength(exchangeRequests);
          }
          tally.payloads += 1;
          tally[verdict] += 1;

          // A valid sign-out, or a password change, ends the caller's session: sign in again for the next one.
          actAs(session);
          if (build.client === 'authActionClient' && !(await getCurrentUser())) {
            session = await signUpAndSignIn();
            digest = await databaseDigest();
          }
        }),
        { numRuns: NUM_RUNS, endOnFailure: true },
      );
      expect(tally.payloads).toBe(NUM_RUNS);
    }, 180_000);
  });
});

/** Lines libraries log for a normal outcome: Auth.js reports every failed sign-in as CredentialsSignin. */
const ALLOWED_LOG = /^error: \[auth\]\[error\] CredentialsSignin|^error: CredentialsSignin/;
