// A calendar day's start in a time zone, for date filters typed as days ("From 2026-03-01"): the day the
// person means is theirs, not UTC's. Intl knows the zones; no library needed for one offset.

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** How far the zone's wall clock is ahead of UTC at `time` (ms). */
function offsetAt(time: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(time))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(time / 1000) * 1000;
}

/** The time zone if Intl knows it, else null. */
export function knownTimeZone(value: string | null | undefined): string | null {
  if (!value || value.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The instant `day` (YYYY-MM-DD) begins in `timeZone` (UTC when null or unknown). */
export function startOfDayIn(day: string, timeZone: string | null): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(year, month - 1, date);
  const zone = knownTimeZone(timeZone);
  if (!zone) return new Date(midnightUtc);
  // The offset at the guess, then at the corrected time (a day that starts right after a DST change).
  const first = midnightUtc - offsetAt(midnightUtc, zone);
  const second = midnightUtc - offsetAt(first, zone);
  return new Date(second);
}

/** The instant the day after `day` begins in `timeZone`: the exclusive end of a "To" day. */
export function endOfDayIn(day: string, timeZone: string | null): Date {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return startOfDayIn(next, timeZone);
}
