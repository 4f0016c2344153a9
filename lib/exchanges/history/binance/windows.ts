import type { ActivityEntry, HistoryPage, HistoryPageRequest, StreamCursor } from '../types';

/**
 * Binance's time-windowed history endpoints (deposits, withdrawals: 90 days per request; converts:
 * 30 days), walked one request per page. Backfill goes from now into the past, window by window,
 * until a window reaches the horizon; inside a window, a full page asks for the next one (by offset,
 * or for converts, which have no offset, by moving the window's end to the oldest row seen). Then
 * incremental reads from where the last run stopped to now: one request when nothing is new.
 */

export interface WindowRequest {
  startTime: number;
  endTime: number;
  offset: number;
}

export interface WindowAnswer {
  entries: ActivityEntry[];
  /** The time of each row (the entries of unreadable rows may lack one). */
  times: number[];
  /** The window holds more than this page. */
  more: boolean;
}

export interface WindowedSource {
  /** The longest window Binance accepts, end − start (ms). */
  windowMs: number;
  /** How far back backfill goes (ms since the epoch). */
  horizon: number;
  /** 'offset': the next page is offset + page size; 'end': the window's end moves to the oldest row. */
  paging: 'offset' | 'end';
  pageSize: number;
  read(request: WindowRequest): Promise<WindowAnswer>;
}

/** Incremental reads start this far before the last run's end: a deposit can show up a little late. */
export const INCREMENTAL_OVERLAP_MS = 60 * 60_000;
/** A pending entry this recent is read again until it settles (its status changes, its id does not). */
export const PENDING_RECHECK_MS = 7 * 86_400_000;

interface WindowCursor {
  phase: 'backfill' | 'incremental';
  /** The current window: [start, end], `offset` rows already read from its newest end. */
  start: number | null;
  end: number | null;
  offset: number;
  /** The current window's end before any 'end' paging moved it (incremental moves on from there). */
  top: number | null;
  /** Backfill: when it began (incremental starts there). Incremental: where the next run starts. */
  since: number;
  /** The oldest pending entry seen recently: the next incremental starts no later than it. */
  pendingFrom: number | null;
}

function asCursor(raw: StreamCursor | null, now: number): WindowCursor | null {
  if (!raw || (raw.phase !== 'backfill' && raw.phase !== 'incremental')) return null;
  const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    phase: raw.phase,
    start: num(raw.start),
    end: num(raw.end),
    offset: num(raw.offset) ?? 0,
    top: num(raw.top),
    since: num(raw.since) ?? now,
    pendingFrom: num(raw.pendingFrom),
  };
}

function plain(cursor: WindowCursor): StreamCursor {
  return { ...cursor };
}

function oldestPending(entries: ActivityEntry[], now: number, previous: number | null): number | null {
  let oldest = previous;
  for (const entry of entries) {
    const time = entry.occurredAt.getTime();
    if (entry.status === 'pending' && entry.kind !== 'other' && time >= now - PENDING_RECHECK_MS) {
      oldest = oldest === null ? time : Math.min(oldest, time);
    }
  }
  return oldest;
}

/** Where the window's next page starts, when this one was full. */
function nextInWindow(source: WindowedSource, cursor: WindowCursor, answer: WindowAnswer): WindowCursor {
  if (source.paging === 'offset') return { ...cursor, offset: cursor.offset + source.pageSize };
  const end = cursor.end!;
  const oldest = answer.times.length > 0 ? Math.min(...answer.times) : end;
  // Rows at the oldest time may continue on the next page: ask again up to it (re-read rows dedupe).
  // If the whole page was one millisecond, step past it rather than ask for the same page again.
  return { ...cursor, end: oldest < end ? oldest : end - 1 };
}

function windowEndingAt(source: WindowedSource, end: number, floor: number) {
  return { start: Math.max(floor, end - source.windowMs), end };
}

async function backfillPage(source: WindowedSource, request: HistoryPageRequest): Promise<HistoryPage> {
  const now = request.now.getTime();
  let cursor = asCursor(request.cursor, now);
  if (!cursor || cursor.phase !== 'backfill' || cursor.start === null || cursor.end === null) {
    const window = windowEndingAt(source, now, source.horizon);
    cursor = { phase: 'backfill', ...window, offset: 0, top: window.end, since: now, pendingFrom: null };
  }
  const answer = await source.read({ startTime: cursor.start!, endTime: cursor.end!, offset: cursor.offset });
  const pendingFrom = oldestPending(answer.entries, now, cursor.pendingFrom);
  const page = (next: WindowCursor, done: boolean, coveredFrom?: number): HistoryPage => ({
    entries: answer.entries,
    cursor: plain(next),
    done,
    ...(coveredFrom !== undefined ? { coveredFrom: new Date(coveredFrom) } : {}),
  });
  if (answer.more) return page({ ...nextInWindow(source, cursor, answer), pendingFrom }, false);
  if (cursor.start! <= source.horizon) {
    const since = Math.min(cursor.since - INCREMENTAL_OVERLAP_MS, pendingFrom ?? Number.POSITIVE_INFINITY);
    const caughtUp: WindowCursor = {
      phase: 'incremental',
      start: null,
      end: null,
      offset: 0,
      top: null,
      since,
      pendingFrom: null,
    };
    return page(caughtUp, true, cursor.start!);
  }
  const window = windowEndingAt(source, cursor.start! - 1, source.horizon);
  return page({ ...cursor, ...window, offset: 0, top: window.end, pendingFrom }, false, cursor.start!);
}

async function incrementalPage(source: WindowedSource, request: HistoryPageRequest): Promise<HistoryPage> {
  const now = request.now.getTime();
  let cursor = asCursor(request.cursor, now);
  if (!cursor || cursor.phase !== 'incremental') {
    // Never backfilled: the most recent window is the best incremental can do.
    cursor = { phase: 'incremental', start: null, end: null, offset: 0, top: null, since: now, pendingFrom: null };
    cursor.since = now - source.windowMs;
  }
  if (cursor.start === null || cursor.end === null || cursor.top === null) {
    const start = Math.min(cursor.since, now);
    const end = Math.min(now, start + source.windowMs);
    cursor = { ...cursor, start, end, top: end, offset: 0 };
  }
  const answer = await source.read({ startTime: cursor.start!, endTime: cursor.end!, offset: cursor.offset });
  const pendingFrom = oldestPending(answer.entries, now, cursor.pendingFrom);
  const page = (next: WindowCursor, done: boolean): HistoryPage => ({
    entries: answer.entries,
    cursor: plain(next),
    done,
  });
  if (answer.more) return page({ ...nextInWindow(source, cursor, answer), pendingFrom }, false);
  if (cursor.top! < now) {
    const start = cursor.top! + 1;
    const end = Math.min(now, start + source.windowMs);
    return page({ ...cursor, start, end, top: end, offset: 0, pendingFrom }, false);
  }
  const since = Math.min(now - INCREMENTAL_OVERLAP_MS, pendingFrom ?? Number.POSITIVE_INFINITY);
  return page({ phase: 'incremental', start: null, end: null, offset: 0, top: null, since, pendingFrom: null }, true);
}

export function windowedPage(source: WindowedSource, request: HistoryPageRequest): Promise<HistoryPage> {
  return request.mode === 'backfill' ? backfillPage(source, request) : incrementalPage(source, request);
}
