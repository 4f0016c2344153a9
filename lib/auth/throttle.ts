import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { authThrottle } from '@/db/schema';

export interface ThrottlePolicy {
  /** Failures allowed inside one window; the one that reaches it starts a lockout. */
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

const MINUTE = 60_000;

// Ten wrong passwords lock the account for 15 minutes: at most ~40 guesses an hour (ASVS asks for ≤ 100).
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 10, windowMs: 15 * MINUTE, lockoutMs: 15 * MINUTE };
// Per address, looser, so one office behind a NAT is not locked out by one person's typos.
export const IP_POLICY: ThrottlePolicy = { maxFailures: 50, windowMs: 15 * MINUTE, lockoutMs: 15 * MINUTE };

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;

/** The latest lockout end among the given subjects, or null when none is locked now. */
export async function lockedUntil(keys: string[], now = new Date()): Promise<Date | null> {
  const rows = await getDb()
    .select({ lockedUntil: authThrottle.lockedUntil })
    .from(authThrottle)
    .where(and(inArray(authThrottle.key, keys), gt(authThrottle.lockedUntil, now)));
  let latest: Date | null = null;
  for (const row of rows) if (row.lockedUntil && (!latest || row.lockedUntil > latest)) latest = row.lockedUntil;
  return latest;
}

/**
 * Counts one failure. A single upsert per subject keeps concurrent attempts from losing counts:
 * a window that has expired starts again at 1, and reaching the limit sets `locked_until`.
 */
export async function recordFailure(key: string, policy: ThrottlePolicy, now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const lockEnd = new Date(now.getTime() + policy.lockoutMs);
  const expired = sql`${authThrottle.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz`;
  const nextFailures = sql`case when ${expired} then 1 else ${authThrottle.failures} + 1 end`;
  await getDb()
    .insert(authThrottle)
    .values({
      key,
      failures: 1,
      windowStartedAt: now,
      lockedUntil: policy.maxFailures <= 1 ? lockEnd : null,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: authThrottle.key,
      set: {
        failures: nextFailures,
        windowStartedAt: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${authThrottle.windowStartedAt} end`,
        lockedUntil: sql`case when ${nextFailures} >= ${policy.maxFailures} then ${lockEnd.toISOString()}::timestamptz else ${authThrottle.lockedUntil} end`,
        updatedAt: now,
      },
    });
}

export async function clearFailures(key: string): Promise<void> {
  await getDb().delete(authThrottle).where(eq(authThrottle.key, key));
}
