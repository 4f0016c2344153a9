import type { HistoryProgress } from '@/lib/history/progress';

/** An import that is on its way: the page polls fast while it is. */
export const isImportRunning = (progress: HistoryProgress | null) =>
  progress !== null && (progress.state === 'queued' || progress.state === 'running');

function entriesText(count: number, locale: string): string {
  return `${new Intl.NumberFormat(locale).format(count)} ${count === 1 ? 'entry' : 'entries'}`;
}

/** "back to March 2024, 1,240 entries", in the reader's locale and time zone (UTC until it is known). */
export function historyReach(progress: HistoryProgress, locale: string, timeZone: string | null): string {
  const entries = entriesText(progress.entries, locale);
  if (!progress.coveredFrom) return entries;
  const month = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: timeZone ?? 'UTC' }).format(
    new Date(progress.coveredFrom),
  );
  return `back to ${month}, ${entries}`;
}

/**
 * The import's state in one sentence: "Importing history — back to March 2024, 1,240 entries",
 * "History imported — …" (the page adds "· checked 5 min ago"), or the failure's plain message.
 */
export function historyHeadline(progress: HistoryProgress, locale: string, timeZone: string | null): string {
  const reach = historyReach(progress, locale, timeZone);
  if (isImportRunning(progress)) return `Importing history — ${reach}`;
  if (progress.state === 'succeeded') return `History imported — ${reach}`;
  if (progress.state === 'failed') {
    const stopped = progress.lastError ?? 'The history import stopped.';
    return progress.entries > 0 ? `${stopped} Imported so far: ${reach}.` : stopped;
  }
  return `History import not running — ${reach}`;
}
