import type { Exchange, kraken as KrakenClient } from 'ccxt';
import { MalformedResponseError } from '../malformed';
import { readLedgerPage, type LedgerLeg } from './kraken/ledger-page';
import { groupByRefid, normaliseRefGroup } from './kraken/normalise';
import type { ActivityEntry, HistoryPage, HistoryPageRequest, HistoryStrategy, StreamCursor } from './types';

/**
 * Kraken's ledger is one stream: every balance change of the account's whole life, newest first, 50
 * entries a page (POST /0/private/Ledgers). Backfill and incremental are the same walk over a window:
 * entries newer than the newest already imported (`start`, exclusive; none on the first import), read
 * newest first by offset. The window's first page names its newest entry, which becomes the window's
 * `end` (inclusive) for the pages after it, so entries Kraken adds meanwhile shift no offset; they are
 * the next window's. Nothing new costs one request.
 *
 * A trade is two ledger entries sharing its txid as refid (a convert: `spend` and `receive`), and a
 * page can end between them. A page that is not the window's last holds back every refid that has an
 * entry at the page's oldest time (the rest of it may be on the next page) in the cursor, and
 * normalises it with the next page, so each event is written once and whole.
 */

export const LEDGER_STREAM = 'ledger';

interface LedgerCursor {
  /** The ledger id of the newest entry imported: the next window starts after it. */
  newest: string | null;
  /** The window being read: its `end` (fixed after its first page) and the next offset in it. */
  end: string | null;
  ofs: number;
  /** Ledger entries held back from the last page (JSON of LedgerLeg[]), or null. */
  pending: string | null;
  /** ms of the oldest entry imported. */
  oldest: number | null;
}

function readCursor(cursor: StreamCursor | null): LedgerCursor {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    newest: text(cursor?.newest),
    end: text(cursor?.end),
    ofs: number(cursor?.ofs) ?? 0,
    pending: text(cursor?.pending),
    oldest: number(cursor?.oldest),
  };
}

function pendingLegs(cursor: LedgerCursor): LedgerLeg[] {
  if (!cursor.pending) return [];
  try {
    return JSON.parse(cursor.pending) as LedgerLeg[];
  } catch {
    throw new MalformedResponseError('The stored Kraken history position is unreadable.');
  }
}

/**
 * The refids that may continue on the next page: every one with an entry at the page's oldest time
 * (held-back entries included: a page all at one time holds them again).
 */
function mayContinue(page: LedgerLeg[], legs: LedgerLeg[]): Set<string> {
  const oldest = Math.min(...page.map((leg) => leg.time));
  return new Set(legs.filter((leg) => leg.time === oldest).map((leg) => leg.refid));
}

async function fetchLedgerPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage> {
  const cursor = readCursor(request.cursor);
  const params: Record<string, string | number> = {};
  if (cursor.newest) params.start = cursor.newest;
  if (cursor.ofs > 0) {
    params.ofs = cursor.ofs;
    if (cursor.end) params.end = cursor.end;
  }
  // The raw call: ccxt's fetchLedger turns amounts into floats.
  const page = readLedgerPage(await (client as KrakenClient).privatePostLedgers(params));

  const readThrough = cursor.ofs + page.legs.length;
  const more = page.legs.length > 0 && readThrough < page.count;
  // The window's newest entry: Kraken lists newest first.
  const windowEnd = cursor.ofs > 0 ? cursor.end : (page.legs[0]?.id ?? null);

  const seen = new Set<string>();
  const legs = [...pendingLegs(cursor), ...page.legs].filter((leg) => !seen.has(leg.id) && seen.add(leg.id));
  const held = more ? mayContinue(page.legs, legs) : new Set<string>();
  const entries: ActivityEntry[] = [];
  const kept: LedgerLeg[] = [];
  for (const [refid, group] of groupByRefid(legs)) {
    if (held.has(refid)) kept.push(...group);
    else entries.push(...normaliseRefGroup(client, refid, group));
  }

  const times = page.legs.map((leg) => leg.time);
  const oldest = times.length > 0 ? Math.min(cursor.oldest ?? Infinity, ...times) : cursor.oldest;
  const next: LedgerCursor = more
    ? {
        newest: cursor.newest,
        end: windowEnd,
        ofs: readThrough,
        pending: kept.length > 0 ? JSON.stringify(kept) : null,
        oldest,
      }
    : { newest: windowEnd ?? cursor.newest, end: null, ofs: 0, pending: null, oldest };
  return {
    entries,
    cursor: { ...next },
    done: !more,
    coveredFrom: oldest === null ? null : new Date(oldest),
  };
}

export const krakenHistory: HistoryStrategy = {
  exchangeId: 'kraken',
  verified: true,
  completeHistory: true,
  limits: [
    'Kraken’s ledger shows no network or transaction hash for deposits and withdrawals.',
    'Deposits and withdrawals appear once Kraken has credited or debited them; pending and failed ones are not listed.',
    'Kraken answers 50 ledger entries per request and allows about one ledger request every 6 seconds on a Starter account, so a long history takes a while: about 10 minutes per 5,000 entries (a trade is two).',
  ],
  async streams() {
    return [LEDGER_STREAM];
  },
  async fetchPage(client, request) {
    if (request.stream !== LEDGER_STREAM) throw new Error(`Kraken has no history stream “${request.stream}”.`);
    return fetchLedgerPage(client, request);
  },
};
