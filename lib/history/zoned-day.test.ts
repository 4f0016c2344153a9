import { describe, expect, it } from 'vitest';
import { endOfDayIn, knownTimeZone, startOfDayIn } from './zoned-day';

describe('startOfDayIn / endOfDayIn', () => {
  it('is the reader’s midnight, across daylight-saving changes', () => {
    expect(startOfDayIn('2026-03-04', null).toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(startOfDayIn('2026-03-04', 'Europe/Berlin').toISOString()).toBe('2026-03-03T23:00:00.000Z');
    expect(startOfDayIn('2026-07-04', 'America/New_York').toISOString()).toBe('2026-07-04T04:00:00.000Z');
    expect(startOfDayIn('2026-03-04', 'Asia/Kolkata').toISOString()).toBe('2026-03-03T18:30:00.000Z');
    // Berlin moves to summer time on 29 March 2026: that day is 23 hours long.
    expect(startOfDayIn('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(endOfDayIn('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(endOfDayIn('2026-12-31', null).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('falls back to UTC for a zone Intl does not know', () => {
    expect(knownTimeZone('Mars/Olympus')).toBeNull();
    expect(startOfDayIn('2026-03-04', 'Mars/Olympus').toISOString()).toBe('2026-03-04T00:00:00.000Z');
  });
});
