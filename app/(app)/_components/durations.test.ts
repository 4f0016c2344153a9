import { describe, expect, it } from 'vitest';
import { formatRelative, humanDuration } from './durations';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('humanDuration', () => {
  it('says an hour, never 60 minutes, however close to the hour the clock is', () => {
    for (const ms of [59.5 * MINUTE, 59.6 * MINUTE, 59.99 * MINUTE, HOUR, HOUR + 2 * MINUTE]) {
      expect(humanDuration(ms), `${ms / MINUTE} min`).toBe('1 hour');
    }
  });

  it('counts minutes under the hour', () => {
    expect(humanDuration(10_000)).toBe('1 min');
    expect(humanDuration(1.4 * MINUTE)).toBe('1 min');
    expect(humanDuration(45 * MINUTE)).toBe('45 min');
    expect(humanDuration(59.4 * MINUTE)).toBe('59 min');
  });

  it('keeps minutes beside the hours under 3 hours, to the nearest 5', () => {
    expect(humanDuration(HOUR + 25 * MINUTE)).toBe('1 hour 25 min');
    expect(humanDuration(HOUR + 31 * MINUTE)).toBe('1 hour 30 min');
    expect(humanDuration(2 * HOUR)).toBe('2 hours');
    expect(humanDuration(2 * HOUR + 58 * MINUTE)).toBe('3 hours');
  });

  it('rounds to whole hours, days, months and years beyond', () => {
    expect(humanDuration(5.4 * HOUR)).toBe('5 hours');
    expect(humanDuration(23.6 * HOUR)).toBe('1 day');
    expect(humanDuration(DAY)).toBe('1 day');
    expect(humanDuration(3 * DAY + 2 * HOUR)).toBe('3 days');
    expect(humanDuration(29.6 * DAY)).toBe('1 month');
    expect(humanDuration(75 * DAY)).toBe('3 months');
    expect(humanDuration(360 * DAY)).toBe('1 year');
    expect(humanDuration(800 * DAY)).toBe('2 years');
  });

  it('is the same length whichever way the time points', () => {
    expect(humanDuration(-HOUR)).toBe('1 hour');
    expect(humanDuration(-90 * MINUTE)).toBe('1 hour 30 min');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const at = (ms: number) => new Date(now + ms);

  it('reads the next sync of an hourly connection as "in 1 hour"', () => {
    expect(formatRelative(at(59.7 * MINUTE), now)).toBe('in 1 hour');
    expect(formatRelative(at(90 * MINUTE), now)).toBe('in 1 hour 30 min');
  });

  it('says just now / in a moment within 45 s, then minutes, hours and days, past or future', () => {
    expect(formatRelative(at(-10_000), now)).toBe('just now');
    expect(formatRelative(at(10_000), now)).toBe('in a moment');
    expect(formatRelative(at(-3 * MINUTE), now)).toBe('3 min ago');
    expect(formatRelative(at(4 * MINUTE), now)).toBe('in 4 min');
    expect(formatRelative(at(-2 * HOUR), now)).toBe('2 hours ago');
    expect(formatRelative(at(3 * DAY), now)).toBe('in 3 days');
  });
});
