const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/**
 * A length of time as people say it: "1 min", "45 min", "1 hour", "1 hour 20 min", "5 hours", "1 day",
 * "3 days", "2 months", "1 year". Rounded once, to the unit shown, so a value just under an hour reads
 * "1 hour" (never "60 minutes") and just under a day "1 day" (never "24 hours"). Minutes are kept beside
 * the hours under 3 hours, to the nearest 5, where "1 hour" for 1 h 25 min would mislead.
 */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  const minutes = Math.max(1, Math.round(abs / MINUTE));
  if (minutes < 60) return `${minutes} min`;
  if (abs < 3 * HOUR) {
    const fives = Math.round(abs / (5 * MINUTE)) * 5;
    const hours = Math.floor(fives / 60);
    const rest = fives % 60;
    return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${rest} min`;
  }
  const hours = Math.round(abs / HOUR);
  if (hours < 24) return plural(hours, 'hour');
  const days = Math.round(abs / DAY);
  if (days < 30) return plural(days, 'day');
  const months = Math.round(abs / (30 * DAY));
  if (months < 12) return plural(months, 'month');
  return plural(Math.round(abs / (365 * DAY)), 'year');
}

/** "just now", "3 min ago", "in 1 hour", "2 days ago"…: `date` relative to `now`, independent of the time zone. */
export function formatRelative(date: Date, now: number): string {
  const diff = date.getTime() - now;
  if (Math.abs(diff) < 45_000) return diff <= 0 ? 'just now' : 'in a moment';
  const duration = humanDuration(diff);
  return diff < 0 ? `${duration} ago` : `in ${duration}`;
}
