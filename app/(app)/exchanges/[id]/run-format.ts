import type { SyncStatus, SyncTrigger } from '@/lib/sync/types';

/** What started a run, in the words of the button or event the user knows. */
export const TRIGGER_WORDS: Record<SyncTrigger, string> = {
  connect: 'Connected',
  manual: 'Sync now',
  keys_updated: 'Keys updated',
  scheduled: 'Scheduled',
  sync_all: 'Sync all',
};

export const RESULT_WORDS: Record<SyncStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  stale: 'Stale',
  queued: 'Queued',
  running: 'Running',
};

export const RESULT_TONE = {
  succeeded: 'success',
  failed: 'danger',
  stale: 'warning',
  queued: 'info',
  running: 'info',
} as const satisfies Record<SyncStatus, string>;

/** "under 0.1 s", "0.4 s", "12.3 s", "2 min 5 s"; null while the run has not both started and finished. */
export function formatDuration(startedAt: Date | null, finishedAt: Date | null): string | null {
  if (!startedAt || !finishedAt) return null;
  const ms = Math.max(0, finishedAt.getTime() - startedAt.getTime());
  // A connect run applies balances the key check already read: it takes no measurable time.
  if (ms < 100) return 'under 0.1 s';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

export const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
