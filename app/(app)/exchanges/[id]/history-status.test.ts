import { describe, expect, it } from 'vitest';
import type { HistoryProgress } from '@/lib/history/progress';
import { historyHeadline } from './history-status';

const progress = (values: Partial<HistoryProgress>): HistoryProgress => ({
  state: 'running',
  phase: 'backfill',
  entries: 1240,
  coveredFrom: '2024-03-10T12:00:00.000Z',
  finishedAt: null,
  lastError: null,
  limits: [],
  verified: true,
  completeHistory: true,
  acceptsManualStream: false,
  manualStreams: [],
  ...values,
});

describe('historyHeadline', () => {
  it('says how far back and how many entries while importing, in the reader’s locale', () => {
    expect(historyHeadline(progress({}), 'en-US', 'Europe/Berlin')).toBe(
      'Importing history — back to March 2024, 1,240 entries',
    );
    expect(historyHeadline(progress({ state: 'queued' }), 'de-DE', null)).toBe(
      'Importing history — back to März 2024, 1.240 entries',
    );
    expect(historyHeadline(progress({ entries: 0, coveredFrom: null }), 'en-US', null)).toBe(
      'Importing history — 0 entries',
    );
  });

  it('says when it is done, and the plain failure message when it stopped', () => {
    expect(historyHeadline(progress({ state: 'succeeded', entries: 1 }), 'en-US', null)).toBe(
      'History imported — back to March 2024, 1 entry',
    );
    expect(
      historyHeadline(progress({ state: 'failed', lastError: 'The exchange rejected this API key.' }), 'en-US', null),
    ).toBe('The exchange rejected this API key. Imported so far: back to March 2024, 1,240 entries.');
    // The month in the reader's time zone: 1 March 00:30 in Berlin is still February in UTC.
    expect(historyHeadline(progress({ coveredFrom: '2024-02-29T23:30:00.000Z' }), 'en-US', 'Europe/Berlin')).toBe(
      'Importing history — back to March 2024, 1,240 entries',
    );
  });
});
