import { and, eq, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { userSessions, users } from '@/db/schema';
import { hashPassword, verifyPassword } from './password';
import type { SignUpInput } from './schemas';

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

/**
 * Ends every session of this user, on every device: the session version moves on (tokens issued before
 * are refused) and their session records go, in one transaction.
 */
export async function endAllSessions(userId: string): Promise<number> {
  return getDb().transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning({ sessionVersion: users.sessionVersion });
    if (!row) throw new Error('User not found');
    await tx.delete(userSessions).where(eq(userSessions.userId, userId));
    return row.sessionVersion;
  });
}

export type ChangePasswordResult = { ok: true } | { ok: false; reason: 'wrong_password' };

/**
 * Replaces the password and ends every existing session (version and records, as endAllSessions). The
 * update is guarded by the hash it verified against, so two concurrent changes cannot both succeed.
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
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ passwordHash: newHash, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
      .where(and(eq(users.id, userId), eq(users.passwordHash, row.passwordHash)))
      .returning({ id: users.id });
    if (updated.length !== 1) return { ok: false, reason: 'wrong_password' } as const;
    await tx.delete(userSessions).where(eq(userSessions.userId, userId));
    return { ok: true } as const;
  });
}
