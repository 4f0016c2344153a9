// A database error reaches the log as its kind (SQLSTATE code, condition, constraint, table), never with
// the statement's parameters: Drizzle's message quotes every one of them (an argon2id hash, labels, user
// ids) and PostgreSQL's `detail` repeats the offending values. Real errors from the real database, through
// the real server-action client and the app's logger.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUser } from '@/lib/auth/users';
import { actionClient, GENERIC_ERROR } from '@/lib/safe-action';
import { captureOutput } from '@/lib/testing/capture-output';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';

withTestDatabase();
const output = captureOutput();

const canary = (what: string) => `CANARY${what}${randomBytes(8).toString('hex')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The one line the action client logs for an unexpected error, and everything written beside it. */
async function runFailingAction(body: () => Promise<unknown>) {
  const result = await actionClient.action(async () => {
    await body();
  })();
  expect(result?.serverError).toBe(GENERIC_ERROR);
  const lines = output.logLines().filter((line) => line.msg === 'server action failed');
  expect(lines).toHaveLength(1);
  return { line: lines[0]!, text: output.text() };
}

function expectNone(text: string, values: string[]) {
  for (const value of values) expect(text).not.toContain(value);
  expect(text).not.toMatch(/Failed query|params:|\$argon2id|insert into/i);
}

describe('database errors in the log', () => {
  it('a NUL byte in a sign-up name: the code and condition, not the hash, email or name', async () => {
    const email = `${canary('email')}@example.com`;
    const name = `${canary('name')}\u0000`;
    const { line, text } = await runFailingAction(() =>
      createUser({ email, password: canary('password'), name } as Parameters<typeof createUser>[0]),
    );
    expect(line).toMatchObject({
      level: 'error',
      err: { type: 'DrizzleQueryError', cause: { type: 'DatabaseError', code: '22021' } },
    });
    expect(line.requestId).toMatch(UUID);
    expectNone(text, [email, name.slice(0, -1)]);
  });

  it('a NUL byte in a connection label: the code, without the label or the user id', async () => {
    const userId = await createTestUser();
    const label = `${canary('label')}\u0000`;
    const { line, text } = await runFailingAction(() => createTestConnection({ userId, label, credentials: null }));
    expect(line.err).toMatchObject({ cause: { code: '22021', condition: 'character_not_in_repertoire' } });
    expectNone(text, [label.slice(0, -1), userId]);
  });

  it('a check constraint no input validation covers: its name and table, without the values', async () => {
    const userId = await createTestUser();
    const label = canary('label');
    const { line, text } = await runFailingAction(() =>
      createTestConnection({ userId, label, credentials: null, values: { syncIntervalSeconds: 7 } }),
    );
    expect(line.err).toMatchObject({
      cause: {
        code: '23514',
        condition: 'check_violation',
        constraint: 'exchange_connections_interval_range',
        table: 'exchange_connections',
      },
    });
    expectNone(text, [label, userId]);
  });

  it('a foreign key to a user that does not exist: the constraint, without the ids', async () => {
    const missingUser = randomUUID();
    const label = canary('label');
    const { line, text } = await runFailingAction(() =>
      createTestConnection({ userId: missingUser, label, credentials: null }),
    );
    expect(line.err).toMatchObject({ cause: { code: '23503', condition: 'foreign_key_violation' } });
    expect(JSON.stringify(line.err)).toMatch(/"table":"(portfolios|exchange_connections)"/);
    expectNone(text, [label, missingUser]);
  });
});
