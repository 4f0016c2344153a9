import type { ConnectionStatus } from '@/db/schema';
import type { JobsStatus } from '@/lib/jobs/availability';
import type { RunErrorKind } from '@/lib/sync/failure-kinds';
import type { ConnectionDto } from './list';

type Serialized<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : Serialized<T[K]>;
};

/**
 * A connection as the browser receives it from the status route: JSON, dates as ISO strings. Safe to
 * import from client components (types and a pure function only).
 */
export type ConnectionView = Omit<Serialized<ConnectionDto>, 'latestRun' | 'pendingRun' | 'permissions'> & {
  pendingRun: ConnectionDto['pendingRun'];
  permissions: ConnectionDto['permissions'];
  latestRun: (Omit<NonNullable<ConnectionDto['latestRun']>, 'finishedAt'> & { finishedAt: string | null }) | null;
};

export interface SyncStatusView {
  connections: ConnectionView[];
  /** Some run of the user is queued or running: the browser polls faster while this is true. */
  pending: boolean;
  /** When the server answered (ISO). */
  checkedAt: string;
  /** Whether background jobs run, and so whether scheduled syncs can (see lib/jobs/availability.ts). */
  jobs: JobsStatus;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toConnectionView(connection: ConnectionDto): ConnectionView {
  return {
    ...connection,
    lastSyncAt: iso(connection.lastSyncAt),
    lastSuccessAt: iso(connection.lastSuccessAt),
    nextSyncAt: iso(connection.nextSyncAt),
    blockedUntil: iso(connection.blockedUntil),
    disconnectedAt: iso(connection.disconnectedAt),
    latestRun: connection.latestRun
      ? { ...connection.latestRun, finishedAt: iso(connection.latestRun.finishedAt) }
      : null,
  };
}

const UNREADABLE: RunErrorKind = 'credentials_unreadable';

/**
 * The connection waits for new keys because its stored ones can no longer be decrypted (rather than
 * because the exchange refused them): its latest run failed with `credentials_unreadable`.
 */
export function credentialsUnreadable(connection: {
  status: ConnectionStatus;
  latestRun: { errorKind: string | null } | null;
}): boolean {
  return connection.status === 'needs_reauth' && connection.latestRun?.errorKind === UNREADABLE;
}
