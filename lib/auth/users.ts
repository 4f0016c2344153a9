import { and, eq, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { users } from '@/db/schema';
import { hashPassword, verifyPassword } from './password';
import type { SignUpInput } from './schemas';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  sessionVersion: number;
}

const sessionUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  sessionVersion: users.sessionVersion,
};

export type CreateUserResult = { ok: true; user: SessionUser } | { ok: false; reason: 'email_taken' };

/** Creates an account; one statement, so a refused duplicate writes nothing. */
export async function createUser(input: SignUpInput): Promise<CreateUserResult> {
  const passwordHash = await hashPassword(input.password);
  const [user] = await getDb()
    .insert(users)
    .values({ email: input.email, name: input.name || null, passwordHash })
    .onConflictDoNothing()
    .returning(sessionUserColumns);
  return user ? { ok: true, user } : { ok: false, reason: 'email_taken' };
}

export async function findUserForSignIn(email: string) {
  const [row] = await getDb()
    .select({ ...sessionUserColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
  return row ?? null;
}

export async function findSessionUser(userId: string): Promise<SessionUser | null> {
  const [row] = await getDb().select(sessionUserColumns).from(users).where(eq(users.id, userId));
  return row ?? null;
}

/** Whether a session issued at `version` for this user is still valid (user exists, not ended since). */
export async function isSessionCurrent(userId: string, version: number): Promise<boolean> {
  if (!UUID.test(userId)) return false;
  const [row] = await getDb().select({ sessionVersion: users.sessionVersion }).from(users).where(eq(users.id, userId));
  return row?.sessionVersion === version;
}

/** Ends every session of this user, on every device, issued before now. */
export async function endAllSessions(userId: string): Promise<number> {
  const [row] = await getDb()
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning({ sessionVersion: users.sessionVersion });
  if (!row) throw new Error('User not found');
  return row.sessionVersion;
}

export type ChangePasswordResult = { ok: true } | { ok: false; reason: 'wrong_password' };

/**
 * Replaces the password and ends every existing session. The update is guarded by the hash it
 * verified against, so two concurrent changes cannot both succeed.
 */
export async function changePassword(
  userId: string,
  currentPassword: string,
  newPassword: string,
): Promise<ChangePasswordResult> {
  const db = getDb();
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!row || !(await verifyPassword(row.passwordHash, currentPassword)))
    return { ok: false, reason: 'wrong_password' };
  const newHash = await hashPassword(newPassword);
  const updated = await db
    .update(users)
    .set({ passwordHash: newHash, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(and(eq(users.id, userId), eq(users.passwordHash, row.passwordHash)))
    .returning({ id: users.id });
  return updated.length === 1 ? { ok: true } : { ok: false, reason: 'wrong_password' };
}
