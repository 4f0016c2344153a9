import type { Exchange } from 'ccxt';
import type { ActivityEntry, HistoryPage, HistoryPageRequest, StreamCursor } from '../types';
import type { LedgerEndpoint } from './ledger-endpoints';
import { entriesOf, loneEntry } from './ledger-entries';
import { parseLedgerLine, type LedgerLine } from './ledger-line';

const DAY_MS = 86_400_000;
/** KuCoin: "Support to obtain 1 year historical data" through the API; older needs a support ticket. */
export const LEDGER_RETENTION_MS = 365 * DAY_MS;
/** Windows end this long before now, so a line written a moment late is not stepped over. */
export const SETTLE_MS = 10_000;
/** How far apart in time two sides of one trade may be written and still be paired across windows. */
const SIDE_GAP_MS = 1_000;
/**
 * Empty windows are walked through in one page, up to this many requests (a week of the classic
 * ledger): a quiet year costs its 365 requests but ~53 stored pages, not 365.
 */
export const MAX_REQUESTS_PER_PAGE = 7;

/**
 * Where one ledger stream stands. `newest`: the end of what is read toward now (ms, inclusive).
 * `windowEnd`: the end of the window being read (backfill: going back; incremental: going forward),
 * null when none is. `page`/`lastId`: the next page of that window. `oldest`: the start of the oldest
 * window read. `waiting`: trade/convert sides whose other side is not read yet (JSON).
 */
interface LedgerCursor {
  newest: number;
  windowEnd: number | null;
  page: number;
  lastId: string | null;
  oldest: number;
  waiting: string | null;
}

function readCursor(cursor: StreamCursor | null): LedgerCursor | null {
  if (!cursor) return null;
  const { newest, windowEnd, page, lastId, oldest, waiting } = cursor;
  const valid =
    typeof newest === 'number' &&
    (windowEnd === null || typeof windowEnd === 'number') &&
    typeof page === 'number' &&
    (lastId === null || typeof lastId === 'string') &&
    typeof oldest === 'number' &&
    (waiting === null || typeof waiting === 'string');
  // An unreadable cursor starts the stream again: entries are keyed, so nothing is imported twice.
  return valid ? { newest, windowEnd, page, lastId, oldest, waiting } : null;
}

function waitingSides(cursor: LedgerCursor): LedgerLine[] {
  if (!cursor.waiting) return [];
  try {
    const parsed: unknown = JSON.parse(cursor.waiting);
    return Array.isArray(parsed) ? (parsed as LedgerLine[]) : [];
  } catch {
    return [];
  }
}

/** Sides that `keep` rejects will meet no other side: they become entries of their own. */
function release(waiting: LedgerLine[], keep: (line: LedgerLine) => boolean, into: ActivityEntry[]): LedgerLine[] {
  for (const line of waiting) if (!keep(line)) into.push(loneEntry(line));
  return waiting.filter(keep);
}

/**
 * One page of a KuCoin ledger stream. Backfill reads windows back from now to KuCoin's one-year limit
 * (each window as many pages as it holds); incremental reads forward from the newest window read. A
 * page is one request, or several when windows come back empty (at most MAX_REQUESTS_PER_PAGE). Both
 * sides of a trade become one entry even when a page or window boundary falls between them.
 */
export async function readLedgerPage(
  client: Exchange,
  endpoint: LedgerEndpoint,
  request: HistoryPageRequest,
): Promise<HistoryPage> {
  const now = request.now.getTime();
  const settled = now - SETTLE_MS;
  const floor = now - LEDGER_RETENTION_MS;
  const backfill = request.mode === 'backfill';
  const cursor = readCursor(request.cursor) ?? {
    newest: settled,
    windowEnd: settled,
    page: 1,
    lastId: null,
    oldest: settled + 1,
    waiting: null,
  };
  let waiting = waitingSides(cursor);
  const entries: ActivityEntry[] = [];
  let requests = 0;

  for (;;) {
    let range: { startAt: number; endAt: number };
    if (backfill) {
      if (cursor.windowEnd === null || cursor.windowEnd < floor) break;
      range = { startAt: Math.max(cursor.windowEnd - endpoint.spanMs + 1, floor), endAt: cursor.windowEnd };
    } else {
      if (cursor.windowEnd === null) {
        // After a pause longer than KuCoin's year, what is older is gone: read from there.
        cursor.newest = Math.max(cursor.newest, floor - 1);
        if (cursor.newest >= settled) break;
        cursor.windowEnd = Math.min(cursor.newest + endpoint.spanMs, settled);
      }
      range = { startAt: cursor.newest + 1, endAt: cursor.windowEnd };
    }
    if (requests >= MAX_REQUESTS_PER_PAGE) break;

    const read = await endpoint.read(client, range, { page: cursor.page, lastId: cursor.lastId });
    requests += 1;
    const paired = entriesOf(
      read.items.map((item) => parseLedgerLine(client, item)),
      waiting,
    );
    entries.push(...paired.entries);
    waiting = paired.waiting;

    if (read.next) {
      cursor.page = read.next.page;
      cursor.lastId = read.next.lastId;
    } else {
      cursor.page = 1;
      cursor.lastId = null;
      cursor.windowEnd = null;
      if (backfill) {
        cursor.oldest = range.startAt;
        cursor.windowEnd = range.startAt - 1;
        // Only a side at the very start of the window can find its other side in the older one.
        waiting = release(waiting, (line) => line.createdAt < range.startAt + SIDE_GAP_MS, entries);
      } else {
        cursor.newest = range.endAt;
        waiting = release(waiting, (line) => line.createdAt > range.endAt - SIDE_GAP_MS, entries);
      }
    }
    if (entries.length > 0) break;
  }

  const done = backfill
    ? cursor.windowEnd === null || cursor.windowEnd < floor
    : cursor.windowEnd === null && cursor.newest >= settled;
  if (backfill && done) {
    // As far back as KuCoin goes: a side still waiting has no other side left to read.
    waiting = release(waiting, () => false, entries);
    cursor.windowEnd = null;
  }
  return {
    entries,
    cursor: { ...cursor, waiting: waiting.length > 0 ? JSON.stringify(waiting) : null },
    done,
    coveredFrom: new Date(cursor.oldest),
  };
}
