import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { userSessions, users } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { authenticate } from './authenticate';
import { SESSION_MAX_AGE_SECONDS } from './config';
import { signUpSchema } from './schemas';
import {
  MAX_SESSIONS_PER_USER,
  endSession,
  isSessionCurrent,
  listSessions,
  startSession,
  type SessionClaims,
} from './user-sessions';
import { changePassword, createUser, endAllSessions, findSessionUser } from './users';

withTestDatabase();

const PASSWORD = 'correct horse battery staple';
const uniqueIp = () => `198.51.100.${Math.floor(Math.random() * 250)}-${randomUUID().slice(0, 8)}`;

async function signUp() {
  const result = await createUser(
    signUpSchema.parse({ email: `user-${randomUUID()}@example.com`, password: PASSWORD }),
  );
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

/** A user signed in once: what their session token would carry. */
async function signedIn(userAgent?: string): Promise<SessionClaims> {
  const user = await signUp();
  return { userId: user.id, sessionId: await startSession(user.id, userAgent), version: user.sessionVersion };
}

const sessionRow = async (id: string) => (await getDb().select().from(userSessions).where(eq(userSessions.id, id)))[0];

describe('user sessions', () => {
  it('honours a new session until it is ended, and ends only that one', async () => {
    const laptop = await signedIn('Laptop browser');
    const phone: SessionClaims = { ...laptop, sessionId: await startSession(laptop.userId, 'Phone browser') };
    expect(await isSessionCurrent(laptop)).toBe(true);
    expect(await isSessionCurrent(phone)).toBe(true);

    expect(await endSession(laptop.userId, laptop.sessionId)).toBe(true);
    expect(await isSessionCurrent(laptop)).toBe(false);
    expect(await isSessionCurrent(phone)).toBe(true);
    expect(await endSession(laptop.userId, laptop.sessionId)).toBe(false);
  });

  it('lists the sessions still valid, with the browser that began each', async () => {
    const first = await signedIn('Firefox on Linux');
    const second = await startSession(first.userId, 'x'.repeat(5000));
    const listed = await listSessions(first.userId);
    expect(listed.map((s) => s.id).sort()).toEqual([first.sessionId, second].sort());
    expect(listed.find((s) => s.id === first.sessionId)?.userAgent).toBe('Firefox on Linux');
    expect(listed.find((s) => s.id === second)?.userAgent).toHaveLength(512);
    for (const session of listed) {
      expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(SESSION_MAX_AGE_SECONDS * 1000);
    }
    await endSession(first.userId, second);
    expect((await listSessions(first.userId)).map((s) => s.id)).toEqual([first.sessionId]);
  });

  it('does not let one user end, use or list another user’s session', async () => {
    const owner = await signedIn();
    const other = await signedIn();
    expect(await endSession(other.userId, owner.sessionId)).toBe(false);
    expect(await isSessionCurrent({ ...owner, userId: other.userId, version: other.version })).toBe(false);
    expect((await listSessions(other.userId)).map((s) => s.id)).toEqual([other.sessionId]);
    expect(await isSessionCurrent(owner)).toBe(true);
  });

  it('refuses an expired session, and moves the expiry of one in use forward', async () => {
    const claims = await signedIn();
    const longAgo = new Date(Date.now() - 60 * 60 * 1000);
    await getDb()
      .update(userSessions)
      .set({ lastSeenAt: longAgo, expiresAt: new Date(Date.now() + 60_000) })
      .where(eq(userSessions.id, claims.sessionId));
    expect(await isSessionCurrent(claims)).toBe(true);
    const touched = await sessionRow(claims.sessionId);
    expect(touched!.lastSeenAt.getTime()).toBeGreaterThan(longAgo.getTime());
    expect(touched!.expiresAt.getTime() - touched!.lastSeenAt.getTime()).toBe(SESSION_MAX_AGE_SECONDS * 1000);

    await getDb()
      .update(userSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(userSessions.id, claims.sessionId));
    expect(await isSessionCurrent(claims)).toBe(false);
    expect(await listSessions(claims.userId)).toEqual([]);
  });

  it('removes a user’s expired sessions, and keeps at most the newest few, when they sign in again', async () => {
    const first = await signedIn();
    await getDb()
      .update(userSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(userSessions.id, first.sessionId));
    const ids: string[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_USER + 2; i++) ids.push(await startSession(first.userId));
    const stored = await getDb()
      .select({ id: userSessions.id })
      .from(userSessions)
      .where(eq(userSessions.userId, first.userId));
    expect(stored).toHaveLength(MAX_SESSIONS_PER_USER);
    expect(await sessionRow(first.sessionId)).toBeUndefined();
    // The newest survive; the least recently used went first.
    expect(await isSessionCurrent({ ...first, sessionId: ids.at(-1)! })).toBe(true);
  });

  it('refuses a session of a deleted user, and malformed ids', async () => {
    const claims = await signedIn();
    expect(await isSessionCurrent({ ...claims, sessionId: 'not-a-uuid' })).toBe(false);
    expect(await isSessionCurrent({ ...claims, userId: 'not-a-uuid' })).toBe(false);
    expect(await endSession(claims.userId, 'not-a-uuid')).toBe(false);
    await getDb().delete(users).where(eq(users.id, claims.userId));
    expect(await isSessionCurrent(claims)).toBe(false);
    expect(await sessionRow(claims.sessionId)).toBeUndefined();
  });

  it('ends every session when the user signs out everywhere', async () => {
    const laptop = await signedIn();
    const phone = { ...laptop, sessionId: await startSession(laptop.userId) };
    const next = await endAllSessions(laptop.userId);
    expect(next).toBe(laptop.version + 1);
    expect(await isSessionCurrent(laptop)).toBe(false);
    expect(await isSessionCurrent(phone)).toBe(false);
    expect(await listSessions(laptop.userId)).toEqual([]);
    // A session begun afterwards carries the new version and is honoured; the old version is not.
    const fresh = { ...laptop, sessionId: await startSession(laptop.userId), version: next };
    expect(await isSessionCurrent(fresh)).toBe(true);
    expect(await isSessionCurrent({ ...fresh, version: laptop.version })).toBe(false);
  });

  it('changes the password only with the current one, and then ends every session', async () => {
    const claims = await signedIn();
    const user = (await findSessionUser(claims.userId))!;
    const newPassword = 'a brand new passphrase';
    expect(await changePassword(claims.userId, 'not my password', newPassword)).toEqual({
      ok: false,
      reason: 'wrong_password',
    });
    expect(await isSessionCurrent(claims)).toBe(true);
    expect((await authenticate(user.email, PASSWORD, uniqueIp())).ok).toBe(true);

    expect(await changePassword(claims.userId, PASSWORD, newPassword)).toEqual({ ok: true });
    expect(await isSessionCurrent(claims)).toBe(false);
    expect(await listSessions(claims.userId)).toEqual([]);
    expect((await authenticate(user.email, PASSWORD, uniqueIp())).ok).toBe(false);
    expect((await authenticate(user.email, newPassword, uniqueIp())).ok).toBe(true);
    expect((await findSessionUser(claims.userId))?.sessionVersion).toBe(claims.version + 1);
  });
});
