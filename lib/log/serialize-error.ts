import { redactSecrets } from '@/lib/vault/redact';

/**
 * What a log line (or an error report) may say about an error: its kind and, for a database error,
 * its SQLSTATE code, condition, constraint, table and column. Never a database error's message,
 * `detail`, query text or parameters (Drizzle's message quotes every parameter: password hashes, labels,
 * user ids; PostgreSQL's `detail` repeats the offending values), and every other message is redacted
 * the way `redactSecrets` cleans ccxt's signed URLs and auth headers.
 */
export interface SafeError {
  type: string;
  message?: string;
  code?: string;
  condition?: string;
  constraint?: string;
  table?: string;
  column?: string;
  stack?: string;
  cause?: SafeError;
}

const MAX_CAUSE_DEPTH = 3;
const MAX_STACK_FRAMES = 12;

// SQLSTATE codes the app meets, by name; any other code is named by its class.
const CONDITIONS: Record<string, string> = {
  '23505': 'unique_violation',
  '23503': 'foreign_key_violation',
  '23502': 'not_null_violation',
  '23514': 'check_violation',
  '22021': 'character_not_in_repertoire',
  '22P02': 'invalid_text_representation',
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '55P03': 'lock_not_available',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '53300': 'too_many_connections',
  '42P01': 'undefined_table',
  '42703': 'undefined_column',
};
const CONDITION_CLASSES: Record<string, string> = {
  '08': 'connection_exception',
  '22': 'data_exception',
  '23': 'integrity_constraint_violation',
  '25': 'invalid_transaction_state',
  '28': 'invalid_authorization_specification',
  '40': 'transaction_rollback',
  '42': 'syntax_error_or_access_rule_violation',
  '53': 'insufficient_resources',
  '54': 'program_limit_exceeded',
  '55': 'object_not_in_prerequisite_state',
  '57': 'operator_intervention',
  '58': 'system_error',
  XX: 'internal_error',
};

const SQLSTATE = /^[0-9A-Z]{5}$/;

type Fields = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, 120) : undefined;

/**
 * A PostgreSQL error from either driver: postgres.js' PostgresError (`constraint_name`, `table_name`)
 * or PGlite's DatabaseError (`constraint`, `table`). Both carry a five-character SQLSTATE `code` and a
 * `severity`; a Node socket error (`ECONNREFUSED`) has neither.
 */
function isDatabaseError(error: Fields): boolean {
  return typeof error.code === 'string' && SQLSTATE.test(error.code) && typeof error.severity === 'string';
}

/** Drizzle's wrapper: its message is the query and its parameters; only its cause says what happened. */
function isDrizzleQueryError(error: Error): boolean {
  return error.name === 'DrizzleQueryError' || ('query' in error && 'params' in error && 'cause' in error);
}

function databaseFields(error: Fields): SafeError {
  const code = error.code as string;
  const safe: SafeError = {
    type: 'DatabaseError',
    code,
    condition: CONDITIONS[code] ?? CONDITION_CLASSES[code.slice(0, 2)] ?? 'database_error',
  };
  const constraint = text(error.constraint_name ?? error.constraint);
  const table = text(error.table_name ?? error.table);
  const column = text(error.column_name ?? error.column);
  if (constraint) safe.constraint = constraint;
  if (table) safe.table = table;
  if (column) safe.column = column;
  return safe;
}

/** Stack frames only: the first line of a stack repeats the (unredacted) message. */
function frames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const lines = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_STACK_FRAMES);
  return lines.length > 0 ? redactSecrets(lines.join('\n'), [], 4000) : undefined;
}

export function serializeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) {
    if (error && typeof error === 'object' && isDatabaseError(error as Fields)) return databaseFields(error as Fields);
    return { type: typeof error, message: typeof error === 'string' ? redactSecrets(error) : undefined };
  }
  const cause =
    depth < MAX_CAUSE_DEPTH && error.cause !== undefined ? serializeError(error.cause, depth + 1) : undefined;
  if (isDatabaseError(error as unknown as Fields)) {
    const safe = databaseFields(error as unknown as Fields);
    const stack = frames(error.stack);
    return stack ? { ...safe, stack } : safe;
  }
  if (isDrizzleQueryError(error)) {
    return { type: 'DrizzleQueryError', ...(cause ? { cause } : {}), ...stackOf(error) };
  }
  const safe: SafeError = { type: error.name || 'Error', message: redactSecrets(error.message) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) safe.code = code;
  if (cause) safe.cause = cause;
  return { ...safe, ...stackOf(error) };
}

function stackOf(error: Error): { stack?: string } {
  const stack = frames(error.stack);
  return stack ? { stack } : {};
}

/** One line for a plain-text sink (a CLI's stderr): `type: message` or `type code condition constraint table`. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let safe: SafeError | undefined = serializeError(error); safe; safe = safe.cause) {
    const fields = [
      safe.code,
      safe.condition,
      safe.constraint && `constraint=${safe.constraint}`,
      safe.table && `table=${safe.table}`,
    ]
      .filter(Boolean)
      .join(' ');
    parts.push([safe.type, safe.message ? `: ${safe.message}` : '', fields ? ` (${fields})` : ''].join(''));
  }
  return parts.join(' <- ');
}
