import 'server-only';
import { and, eq, gt, sql } from 'drizzle-orm';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import { getDb, type Database } from '@/db';
import { rateLimits } from '@/db/schema';

export { tryAgainIn } from './try-again';

// The counting is rate-limiter-flexible's RateLimiterDrizzle: an atomic insert … on conflict upsert
// through our own drizzle client, so it works the same on postgres.js and PGlite and needs no store of
// its own (it is in next.config.ts serverExternalPackages because it imports drizzle-orm by a computed name).

/** A fixed window: at most `points` in any `windowSeconds` window, counted per subject. */
export interface LimitPolicy {
  /** Names the limit; stored keys are `<name>:<subject>`. */
  name: string;
  points: number;
  windowSeconds: number;
}

export type Taken = { ok: true } | { ok: false; retryAfterMs: number };

// One limiter per database handle and policy: rate-limiter-flexible keeps the drizzle client it was
// given, and tests point the app at a new database per file (setDatabaseHandle).
const limiters = new WeakMap<Database, Map<string, RateLimiterDrizzle>>();

function limiterFor(policy: LimitPolicy, db: Database): RateLimiterDrizzle {
  let byPolicy = limiters.get(db);
  if (!byPolicy) limiters.set(db, (byPolicy = new Map()));
  const id = `${policy.name}|${policy.points}|${policy.windowSeconds}`;
  let limiter = byPolicy.get(id);
  if (!limiter) {
    limiter = new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimits,
      keyPrefix: policy.name,
      points: policy.points,
      duration: policy.windowSeconds,
    });
    byPolicy.set(id, limiter);
  }
  return limiter;
}

/** A take that went through, with what is left of its window and when the window ends (by Date.now()). */
export interface Reserved {
  ok: true;
  remaining: number;
  windowEndsAt: number;
}

/** `take`, answering what is left of the window and when it ends when the points were taken. */
export async function reserve(
  policy: LimitPolicy,
  subject: string,
  points = 1,
  db: Database = getDb(),
): Promise<Reserved | Extract<Taken, { ok: false }>> {
  try {
    const taken = await limiterFor(policy, db).consume(subject, points);
    return { ok: true, remaining: taken.remainingPoints, windowEndsAt: Date.now() + taken.msBeforeNext };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, refusal.msBeforeNext) };
    throw refusal;
  }
}

/**
 * Counts `points` against `subject` in one atomic upsert (concurrent callers in any process each see
 * their own total, so exactly `policy.points` get through per window), or answers how long until the
 * window ends. A refused take still counts: the window is what ends a refusal, not fewer attempts.
 */
export async function take(policy: LimitPolicy, subject: string, points = 1, db: Database = getDb()): Promise<Taken> {
  const taken = await reserve(policy, subject, points, db);
  return taken.ok ? { ok: true } : taken;
}

/**
 * Returns points taken but not used (an exchange reservation larger than the calls it made, a run
 * that was never sent) to the window they were taken from; a window that has ended is left alone
 * (rate-limiter-flexible's `reward` would start the next one below zero).
 */
export async function giveBack(
  policy: LimitPolicy,
  subject: string,
  points: number,
  db: Database = getDb(),
): Promise<void> {
  if (points <= 0) return;
  await db
    .update(rateLimits)
    .set({ points: sql`greatest(${rateLimits.points} - ${points}, 0)` })
    .where(and(eq(rateLimits.key, `${policy.name}:${subject}`), gt(rateLimits.expire, new Date())));
}
