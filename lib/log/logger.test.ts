import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, withLogContext } from '@/lib/log';

function recorder() {
  const lines: string[] = [];
  const logger = createLogger({ write: (line: string) => void lines.push(line) });
  return {
    logger,
    text: () => lines.join(''),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

// What ccxt's errors carry (see lib/vault/redact.ccxt.test.ts): a whole signed query, an auth header, a PEM.
const SIGNED_URL =
  'https://api.binance.com/api/v3/account?timestamp=1700000000000&recvWindow=10000&signature=9f1c2e3d4b5a69788796a5b4c3d2e1f0';
const PEM = generateKeyPairSync('ec', {
  namedCurve: 'prime256v1',
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
const PEM_BODY = PEM.split('\n')[1]!;

describe('logger', () => {
  it('writes one JSON object per line with level, time, message and the current request and run ids', () => {
    const { logger, parsed } = recorder();
    withLogContext({ requestId: 'req-1' }, () =>
      withLogContext({ syncRunId: 'run-1' }, () => logger.info({ connectionId: 'c-1' }, 'sync started')),
    );
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'sync started',
        requestId: 'req-1',
        syncRunId: 'run-1',
        connectionId: 'c-1',
      }),
    ]);
    expect(parsed()[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('censors secret fields at any depth', () => {
    const { logger, text } = recorder();
    logger.warn(
      {
        password: 'hunter2-password',
        user: { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc' },
        input: { credentials: { apiKey: 'AKEY-1234', secret: 'SECRET-5678', passphrase: 'PASS-9012' } },
        deep: { a: { b: { c: { privateKey: PEM } } } },
      },
      'refused',
    );
    for (const value of ['hunter2-password', '$argon2id', 'AKEY-1234', 'SECRET-5678', 'PASS-9012', PEM_BODY]) {
      expect(text()).not.toContain(value);
    }
    expect(text()).toContain('[redacted]');
  });

  it('redacts signed URLs, auth headers and PEMs inside error messages, messages and string fields', () => {
    const { logger, text, parsed } = recorder();
    const error = new Error(`binance GET ${SIGNED_URL} 503 Service Unavailable`);
    logger.error({ err: error, note: `KC-API-SIGN: c2lnbmF0dXJl and ${PEM}` }, `failed ${SIGNED_URL}`);
    logger.error(new Error(`kraken {"API-Sign":"b64sig=="} Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2ln`));
    expect(text()).not.toMatch(/signature=9f1c|c2lnbmF0dXJl|b64sig|eyJhbGciOi|timestamp=17/);
    expect(text()).not.toContain(PEM_BODY);
    const [first, second] = parsed();
    expect(first!.err).toMatchObject({ type: 'Error', message: expect.stringContaining('signature=[redacted]') });
    // An error passed alone is the `err` field, not the message.
    expect(second).toMatchObject({ msg: 'error', err: { type: 'Error' } });
  });

  it('keeps a wrapped database error to its kind: no query, parameters or detail', () => {
    const { logger, text, parsed } = recorder();
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      severity: 'ERROR',
      code: '23505',
      detail: 'Key (lower(email))=(someone@example.com) already exists.',
      constraint_name: 'users_email_key',
      table_name: 'users',
    });
    const wrapped = Object.assign(
      new Error('Failed query: insert into "users" values ($1)\nparams: someone@example.com'),
      {
        name: 'DrizzleQueryError',
        query: 'insert into "users" values ($1)',
        params: ['someone@example.com'],
        cause,
      },
    );
    logger.error({ err: wrapped }, 'insert failed');
    expect(text()).not.toMatch(/someone@example\.com|Failed query|insert into/);
    expect(parsed()[0]!.err).toMatchObject({
      type: 'DrizzleQueryError',
      cause: {
        type: 'DatabaseError',
        code: '23505',
        condition: 'unique_violation',
        constraint: 'users_email_key',
        table: 'users',
      },
    });
  });
});
