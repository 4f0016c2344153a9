import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/** Failing connections are never retried by the schedule less often than once a day. */
export const MAX_BACKOFF_SECONDS = 24 * 60 * 60;

// 2^30 × the smallest interval is far past the cap; capping the exponent keeps the arithmetic finite.
const MAX_EXPONENT = 30;

/**
 * Seconds until the next scheduled sync after `consecutiveFailures` failures in a row: the interval
 * doubles per failure (one failure → 2 × interval), capped at 24 hours, so a broken exchange is not hammered.
 */
export function backoffSeconds(intervalSeconds: number, consecutiveFailures: number): number {
  const exponent = Math.min(Math.max(0, Math.floor(consecutiveFailures)), MAX_EXPONENT);
  return Math.min(intervalSeconds * 2 ** exponent, MAX_BACKOFF_SECONDS);
}

/**
 * The same delay computed by the database from a connection's own columns, so recording a failure is
 * one atomic UPDATE (no read-modify-write race). `failures` is the count including this failure.
 */
export function backoffSecondsSql(intervalSeconds: SQLWrapper, failures: SQLWrapper): SQL {
  return sql`least(${intervalSeconds} * power(2, least(${failures}, ${MAX_EXPONENT})), ${MAX_BACKOFF_SECONDS})`;
}
