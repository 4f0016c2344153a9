import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { authThrottle, users } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { authenticate, signInRetryAfterMs } from './authenticate';
import { verifyPassword } from './password';
import { signUpSchema } from './schemas';
import { ACCOUNT_POLICY, accountKey, lockedUntil, recordFailure } from './throttle';
import { createUser } from './users';

withTestDatabase();

const PASSWORD = 'correct horse battery staple';
const uniqueEmail = () => `user-${randomUUID()}@example.com`;
const uniqueIp = () => `198.51.100.${Math.floor(Math.random() * 250)}-${randomUUID().slice(0, 8)}`;

async function signUp(email = uniqueEmail(), password = PASSWORD) {
  const result = await createUser(signUpSchema.parse({ email, password }));
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

async function userCount(email: string) {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  return row?.n ?? 0;
}

describe('accounts', () => {
  it('stores an argon2id hash with at least the OWASP minimum parameters', async () => {
    const user = await signUp();
    const [row] = await getDb().select().from(users).where(eq(users.id, user.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row?.passwordHash).not.toContain(PASSWORD);
    expect(await verifyPassword(row!.passwordHash, PASSWORD)).toBe(true);
  });

  it('refuses a duplicate email, whatever its case, and writes nothing', async () => {
    const email = uniqueEmail();
    await signUp(email);
    const again = await createUser(
      signUpSchema.parse({ email: email.toUpperCase(), password: 'another password 123' }),
    );
    expect(again).toEqual({ ok: false, reason: 'email_taken' });
    expect(await userCount(email)).toBe(1);
  });
});

describe('authenticate', () => {
  it('accepts the right password and gives the same answer for unknown email and wrong password', async () => {
    const user = await signUp();
    const ok = await authenticate(user.email, PASSWORD, uniqueIp());
    expect(ok).toMatchObject({ ok: true, user: { id: user.id, email: user.email } });
    expect(await authenticate(user.email, 'wrong password!!', uniqueIp())).toEqual({ ok: false, reason: 'invalid' });
    expect(await authenticate(uniqueEmail(), PASSWORD, uniqueIp())).toEqual({ ok: false, reason: 'invalid' });
  });

  it('locks the account after ten wrong passwords, refusing even the right one', async () => {
    const user = await signUp();
    for (let i = 0; i < ACCOUNT_POLICY.maxFailures; i++) {
      // A new address each time: the account lock must not depend on where guesses come from.
      expect((await authenticate(user.email, `wrong-${i}-password`, uniqueIp())).ok).toBe(false);
    }
    const eleventh = await authenticate(user.email, PASSWORD, uniqueIp());
    expect(eleventh.ok).toBe(false);
    if (eleventh.ok || eleventh.reason !== 'locked') throw new Error('expected a lockout');
    expect(eleventh.retryAfterMs).toBeGreaterThan(14 * 60_000);
    expect(eleventh.retryAfterMs).toBeLessThanOrEqual(15 * 60_000);
    // The lockout lives in the database, so a restart does not lift it.
    expect(await lockedUntil([accountKey(user.email)])).toBeInstanceOf(Date);
    expect(await signInRetryAfterMs(user.email, uniqueIp())).toBeGreaterThan(0);
  });

  it('nine wrong passwords then the right one signs in and resets the count', async () => {
    const user = await signUp();
    const ip = uniqueIp();
    for (let i = 0; i < ACCOUNT_POLICY.maxFailures - 1; i++) await authenticate(user.email, 'wrong password 1', ip);
    expect((await authenticate(user.email, PASSWORD, ip)).ok).toBe(true);
    const [row] = await getDb()
      .select()
      .from(authThrottle)
      .where(eq(authThrottle.key, accountKey(user.email)));
    expect(row).toBeUndefined();
    expect((await authenticate(user.email, 'wrong password 2', ip)).ok).toBe(false);
    expect((await authenticate(user.email, PASSWORD, ip)).ok).toBe(true);
  });

  it('locks an address that fails across many accounts', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 50; i++) await authenticate(uniqueEmail(), 'wrong password 1', ip);
    const user = await signUp();
    expect(await authenticate(user.email, PASSWORD, ip)).toMatchObject({ ok: false, reason: 'locked' });
    // The same account from another address is unaffected.
    expect((await authenticate(user.email, PASSWORD, uniqueIp())).ok).toBe(true);
  });

  it('starts counting again once the window has passed', async () => {
    const key = accountKey(uniqueEmail());
    const longAgo = new Date(Date.now() - ACCOUNT_POLICY.windowMs - 1000);
    for (let i = 0; i < ACCOUNT_POLICY.maxFailures - 1; i++) await recordFailure(key, ACCOUNT_POLICY, longAgo);
    await recordFailure(key, ACCOUNT_POLICY);
    const [row] = await getDb().select().from(authThrottle).where(eq(authThrottle.key, key));
    expect(row?.failures).toBe(1);
    expect(row?.lockedUntil).toBeNull();
  });

  it('counts concurrent failures without losing any', async () => {
    const key = accountKey(uniqueEmail());
    await Promise.all(Array.from({ length: 10 }, () => recordFailure(key, ACCOUNT_POLICY)));
    const [row] = await getDb().select().from(authThrottle).where(eq(authThrottle.key, key));
    expect(row?.failures).toBe(10);
    expect(row?.lockedUntil).toBeInstanceOf(Date);
  });
});
