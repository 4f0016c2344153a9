/**
 * Whether a database error (or one it wraps: Drizzle wraps driver errors in `cause`) is a unique
 * violation of the named index. postgres.js names it `constraint_name`, PGlite `constraint`.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const fields = current as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown };
    if (fields.code === '23505') return fields.constraint === constraint || fields.constraint_name === constraint;
    current = fields.cause;
  }
  return false;
}
