export interface IntervalOption {
  seconds: number;
  label: string;
}

/** The intervals offered in settings (the server accepts any whole number of seconds from 60 to 86,400). */
export const SYNC_INTERVALS: readonly IntervalOption[] = [
  { seconds: 60, label: '1 min' },
  { seconds: 300, label: '5 min' },
  { seconds: 900, label: '15 min' },
  { seconds: 1_800, label: '30 min' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 21_600, label: '6 hours' },
  { seconds: 43_200, label: '12 hours' },
  { seconds: 86_400, label: '24 hours' },
];

function describe(seconds: number): string {
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * The standard options, plus the connection's current interval when it is not one of them (set
 * through the API), so the select never silently shows a different value than the one in force.
 */
export function intervalOptions(current: number): IntervalOption[] {
  if (SYNC_INTERVALS.some((option) => option.seconds === current)) return [...SYNC_INTERVALS];
  return [...SYNC_INTERVALS, { seconds: current, label: describe(current) }].sort((a, b) => a.seconds - b.seconds);
}
