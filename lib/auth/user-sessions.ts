import { and, desc, eq, gt, lte, notInArray, or } from 'drizzle-orm';
import { getDb } from '@/db';
import { userSessions, users } from '@/db/schema';
import { SESSION_MAX_AGE_SECONDS } from './config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Last seen and expiry move forward at most this often, so a busy session does not write on every request. */
const SEEN_EVERY_MS = 5 * 60 * 1000;

/**
 * Sessions one account may hold at once; signing in beyond it ends the least recently used one, so
 * repeated sign-ins (a script that never signs out) cannot grow the table without bound.
 */
export const MAX_SESSIONS_PER_USER = 50;

/** The longest user agent stored: enough to tell browsers apart, not a place to park data. */
const USER_AGENT_MAX = 512;

export interface SessionClaims {
  userId: string;
  sessionId: string;
  /** The user's session version when the session began. */
  version: number;
}

export interface UserSession {
  id: string;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

const expiresFrom = (now: Date) => new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000);

/**
 * Records a new signed-in session and answers its id, which goes into the session token. The user's
 * expired sessions, and those beyond the newest MAX_SESSIONS_PER_USER, are removed on the way.
 */
export async function startSession(userId: string, userAgent?: string | null): Promise<string> {
  const now = new Date();
  return getDb().transaction(async (tx) => {
    const [row] = await tx
      .insert(userSessions)
      .values({
        userId,
        userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: expiresFrom(now),
      })
      .returning({ id: userSessions.id });
    if (!row) throw new Error('Could not record the session');
    const kept = tx
      .select({ id: userSessions.id })
      .from(userSessions)
      .where(eq(userSessions.userId, userId))
      .orderBy(desc(userSessions.lastSeenAt), desc(userSessions.createdAt))
      .limit(MAX_SESSIONS_PER_USER);
    await tx
      .delete(userSessions)
      .where(
        and(eq(userSessions.userId, userId), or(lte(userSessions.expiresAt, now), notInArray(userSessions.id, kept))),
      );
    return row.id;
  });
}

/**
 * Whether a session token's claims are still honoured, in one query: the session has not been signed
 * out or expired, and the user still exists at the session version the token was issued with (not
 * signed out everywhere, no password change since). A session in use has its last-seen time and
 * expiry moved forward every few minutes.
 */
export async function isSessionCurrent({ userId, sessionId, version }: SessionClaims): Promise<boolean> {
  if (!UUID.test(userId) || !UUID.test(sessionId)) return false;
  const db = getDb();
  const now = new Date();
  const [row] = await db
    .select({ lastSeenAt: userSessions.lastSeenAt })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        eq(userSessions.id, sessionId),
        eq(userSessions.userId, userId),
        gt(userSessions.expiresAt, now),
        eq(users.sessionVersion, version),
      ),
    );
  if (!row) return false;
  if (now.getTime() - row.lastSeenAt.getTime() >= SEEN_EVERY_MS) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: now, expiresAt: expiresFrom(now) })
      .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId)));
  }
  return true;
}

/** Ends one session (sign-out). Only the owner's session matches; answers whether one was ended. */
export async function endSession(userId: string, sessionId: string): Promise<boolean> {
  if (!UUID.test(userId) || !UUID.test(sessionId)) return false;
  const ended = await getDb()
    .delete(userSessions)
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId)))
    .returning({ id: userSessions.id });
  return ended.length === 1;
}

/** The user's sessions that are still valid, most recently used first (for a "your devices" list). */
export async function listSessions(userId: string): Promise<UserSession[]> {
  return getDb()
    .select({
      id: userSessions.id,
      userAgent: userSessions.userAgent,
      createdAt: userSessions.createdAt,
      lastSeenAt: userSessions.lastSeenAt,
      expiresAt: userSessions.expiresAt,
    })
    .from(userSessions)
    .where(and(eq(userSessions.userId, userId), gt(userSessions.expiresAt, new Date())))
    .orderBy(desc(userSessions.lastSeenAt));
}
