import type { SyncStatus, SyncTrigger } from '@/db/schema';
import type { SyncFailureKind } from './failure-kinds';

export type { SyncStatus, SyncTrigger };

export interface PendingRun {
  runId: string;
  /** false when a queued or running run already existed and is returned instead. */
  created: boolean;
  /** For an existing run still queued (not yet started): since when. */
  waiting?: Date;
}

export type SyncOutcome =
  | { status: 'succeeded'; assets: number; warnings: string[] }
  | {
      status: 'failed';
      kind: SyncFailureKind;
      /** Plain English, redacted. */
      message: string;
      /** false for auth / credentials_unreadable / not_found: retrying cannot help. */
      retriable: boolean;
      retryAfterMs?: number;
    }
  /** The run is no longer queued or running (finished, stale, cancelled): nothing was done. */
  | { status: 'skipped'; reason: string };

/** What a sync event needs, nothing more: each claimed row is read by the app 100,000 times a tick at scale. */
export interface ClaimedSync {
  connectionId: string;
  exchangeId: string;
  runId: string;
}
