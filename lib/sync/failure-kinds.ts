import type { ExchangeErrorKind } from '@/lib/exchanges/errors';

// Types, constants and pure functions only: the status badge (a client component) reads these too.

/**
 * Why one attempt of a sync failed. The exchange's kinds (lib/exchanges/errors.ts), plus:
 * - `not_found`: the connection was disconnected, deleted or disabled before or while it synced;
 * - `credentials_unreadable`: the vault cannot decrypt the stored credentials (their key left the
 *   keyring, or the row was altered), so no attempt can succeed until the user enters the key again.
 */
export type SyncFailureKind = ExchangeErrorKind | 'not_found' | 'credentials_unreadable';

/** What `sync_runs.error_kind` holds: a sync failure, or why a run ended without one. */
export type RunErrorKind =
  | SyncFailureKind
  /** The user disconnected the connection while the run was queued or running. */
  | 'disconnected'
  /** The run was abandoned: no worker finished it in time. */
  | 'stale';

const RUN_ERROR_KINDS: ReadonlySet<string> = new Set<RunErrorKind>([
  'auth',
  'rate_limit',
  'clock',
  'transient',
  'malformed',
  'other',
  'not_found',
  'credentials_unreadable',
  'disconnected',
  'stale',
]);

/** A kind read back from outside (e.g. an Inngest error's cause), or `other` when it is none of ours. */
export function toRunErrorKind(kind: string | undefined): RunErrorKind {
  return kind !== undefined && RUN_ERROR_KINDS.has(kind) ? (kind as RunErrorKind) : 'other';
}

/** Retrying cannot help: the keys were refused or cannot be read, or the connection is gone. */
export function isRetriable(kind: SyncFailureKind): boolean {
  return kind !== 'auth' && kind !== 'not_found' && kind !== 'credentials_unreadable';
}

/** The state of a connection whose stored credentials can no longer be decrypted, in the user's words. */
export const CREDENTIALS_UNREADABLE_STATE = 'Credentials need updating — stored keys can no longer be read';

/** The run's and the connection's error for `credentials_unreadable`: the state, then what to do. */
export const CREDENTIALS_UNREADABLE_MESSAGE = `${CREDENTIALS_UNREADABLE_STATE}. Enter the API key again to resume syncing.`;
