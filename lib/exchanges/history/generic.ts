import type { Exchange } from 'ccxt';
import { isCcxtError } from '../errors';
import { findExchange } from '../catalog';
import { ledgerEntry, tradeEntry, transferEntry } from './generic/normalise';
import type { ActivityEntry, HistoryPage, HistoryPageRequest, HistoryStrategy, StreamCursor } from './types';

/**
 * Best effort for every exchange without a verified strategy, through the unified methods it declares
 * in `client.has`: its ledger when it has one ('ledger'), else its trades without a market, its
 * deposits and its withdrawals. A method that needs arguments Coinsphere cannot give (a market, a
 * currency) marks its stream unsupported at no request cost; a ledger that does, falls back to the
 * other three.
 *
 * Every stream is walked newest to oldest with ccxt's `until`: a page's oldest entry bounds the next
 * page. It stops when the exchange has nothing older, or sends the same entries again (it ignores
 * `until`). An incremental pass walks the same way with `since` at the newest entry imported, until it
 * reaches that entry, so with nothing new it costs one request. Exchanges that answer oldest first
 * from `since` are caught up over successive passes.
 */

type StreamName = 'ledger' | 'trades' | 'deposits' | 'withdrawals';

interface WalkCursor extends StreamCursor {
  /** The `until` of the next page of the pass under way (ms); null between passes. */
  until: number | null;
  /** The oldest entry time of the last page, to notice an exchange that ignores `until`. */
  lastOldest: number | null;
  /** During an incremental pass: the newest entry time imported before it. */
  floor: number | null;
  /** The newest entry time imported. */
  newest: number | null;
  /** The method needs arguments Coinsphere cannot give: nothing to import. */
  unsupported: boolean;
}

function readCursor(cursor: StreamCursor | null): WalkCursor {
  const number = (key: string) => (typeof cursor?.[key] === 'number' ? (cursor[key] as number) : null);
  return {
    until: number('until'),
    lastOldest: number('lastOldest'),
    floor: number('floor'),
    newest: number('newest'),
    unsupported: cursor?.unsupported === true,
  };
}

function withoutLedger(has: Exchange['has']): StreamName[] {
  const streams: StreamName[] = [];
  if (has.fetchMyTrades) streams.push('trades');
  if (has.fetchDeposits) streams.push('deposits');
  if (has.fetchWithdrawals) streams.push('withdrawals');
  return streams;
}

async function read(
  client: Exchange,
  name: string,
  stream: string,
  since: number | undefined,
  params: Record<string, unknown>,
): Promise<Array<{ entry: ActivityEntry; timestamp: number | undefined }>> {
  switch (stream as StreamName) {
    case 'ledger':
      return (await client.fetchLedger(undefined, since, undefined, params)).map((item) => ({
        entry: ledgerEntry(client, name, item),
        timestamp: item.timestamp,
      }));
    case 'trades':
      return (await client.fetchMyTrades(undefined, since, undefined, params)).map((item) => ({
        entry: tradeEntry(client, name, item),
        timestamp: item.timestamp,
      }));
    case 'deposits':
      return (await client.fetchDeposits(undefined, since, undefined, params)).map((item) => ({
        entry: transferEntry(client, item, 'deposit'),
        timestamp: item.timestamp,
      }));
    case 'withdrawals':
      return (await client.fetchWithdrawals(undefined, since, undefined, params)).map((item) => ({
        entry: transferEntry(client, item, 'withdrawal'),
        timestamp: item.timestamp,
      }));
    default:
      throw new Error(`The best-effort history has no stream "${stream}".`);
  }
}

async function fetchWalkPage(client: Exchange, name: string, request: HistoryPageRequest): Promise<HistoryPage> {
  const prior = readCursor(request.cursor);
  if (prior.unsupported) return { entries: [], cursor: prior, done: true };
  const passStart = prior.until === null;
  const floor = request.mode === 'incremental' ? (passStart ? prior.newest : prior.floor) : null;
  let items: Awaited<ReturnType<typeof read>>;
  try {
    items = await read(client, name, request.stream, floor ?? undefined, passStart ? {} : { until: prior.until });
  } catch (error) {
    // Raised before any request: the method needs a market, a currency or an account id.
    if (isCcxtError(error, 'ArgumentsRequired') || isCcxtError(error, 'NotSupported')) {
      return {
        entries: [],
        cursor: { ...prior, until: null, unsupported: true },
        done: true,
        discoveredStreams: request.stream === 'ledger' ? withoutLedger(client.has) : undefined,
      };
    }
    throw error;
  }
  const stamps = items.map((item) => item.timestamp).filter((t): t is number => typeof t === 'number');
  const oldest = stamps.length > 0 ? Math.min(...stamps) : null;
  const newest = Math.max(prior.newest ?? Number.NEGATIVE_INFINITY, ...stamps);
  const newestOrNull = Number.isFinite(newest) ? newest : null;
  const repeated = !passStart && oldest !== null && prior.lastOldest !== null && oldest >= prior.lastOldest;
  const reachedFloor = floor !== null && oldest !== null && oldest <= floor;
  const done = oldest === null || repeated || reachedFloor;
  return {
    entries: items.map((item) => item.entry),
    cursor: done
      ? { until: null, lastOldest: null, floor: null, newest: newestOrNull, unsupported: false }
      : { until: oldest - 1, lastOldest: oldest, floor, newest: newestOrNull, unsupported: false },
    done,
    coveredFrom: request.mode === 'backfill' && oldest !== null ? new Date(oldest) : undefined,
  };
}

/** The best-effort strategy for an exchange Coinsphere has not verified. */
export function genericHistory(exchangeId: string): HistoryStrategy {
  const name = findExchange(exchangeId)?.name ?? exchangeId;
  return {
    exchangeId,
    verified: false,
    completeHistory: false,
    limits: [
      `History from ${name} is imported on a best-effort basis (not verified).`,
      `Coinsphere does not know how far back ${name} keeps history, or whether it lists trades without a market, so calculated balances are partial.`,
    ],
    async streams(client) {
      return client.has.fetchLedger ? ['ledger'] : withoutLedger(client.has);
    },
    fetchPage(client, request) {
      return fetchWalkPage(client, name, request);
    },
  };
}
