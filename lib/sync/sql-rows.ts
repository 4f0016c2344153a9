/** The rows of a raw `db.execute`: postgres.js answers an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] } | null)?.rows ?? [];
}

const ARRAY_SPECIALS = /[\\"]/g;

/** A PostgreSQL array literal of strings (each element quoted), sent as one text parameter. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(ARRAY_SPECIALS, '\\$&')}"`).join(',')}}`;
}
