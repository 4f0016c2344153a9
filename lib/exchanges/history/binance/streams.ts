import type { Exchange } from 'ccxt';
import { MalformedResponseError } from '../../malformed';
import type { HistoryPage, HistoryPageRequest } from '../types';
import {
  convertEntry,
  depositEntry,
  dustEntries,
  tradeEntry,
  withdrawalEntry,
  type AssetCode,
  type RawRow,
} from './normalise';
import { windowedPage, type WindowedSource } from './windows';

/** Binance's implicit REST methods the history reads (ccxt types only the unified ones on Exchange). */
interface BinanceHistoryApi {
  privateGetMyTrades(params: object): Promise<unknown>;
  sapiGetCapitalDepositHisrec(params: object): Promise<unknown>;
  sapiGetCapitalWithdrawHistory(params: object): Promise<unknown>;
  sapiGetConvertTradeFlow(params: object): Promise<unknown>;
  sapiGetAssetDribblet(params: object): Promise<unknown>;
}

function api(client: Exchange): BinanceHistoryApi {
  return client as unknown as BinanceHistoryApi;
}

const DAY_MS = 86_400_000;
/** Binance opened in July 2017: no account has history from before. */
export const BINANCE_LAUNCH = Date.UTC(2017, 6, 14);
/** "Less than 90 days between startTime and endTime" (-1127 otherwise). */
const CAPITAL_WINDOW_MS = 90 * DAY_MS - 1;
/** "The max interval between startTime and endTime is 30 days." */
const CONVERT_WINDOW_MS = 30 * DAY_MS - 1;
/** The largest page each endpoint allows. */
export const TRADES_PAGE = 1000;
export const CAPITAL_PAGE = 1000;
export const CONVERT_PAGE = 1000;

function codeFor(client: Exchange): AssetCode {
  return (code) => client.safeCurrencyCode(code) ?? code;
}

function rows(value: unknown, what: string): RawRow[] {
  if (!Array.isArray(value)) throw new MalformedResponseError(`The exchange sent an unreadable answer for ${what}.`);
  return value.filter((row): row is RawRow => row !== null && typeof row === 'object');
}

function object(value: unknown, what: string): RawRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedResponseError(`The exchange sent an unreadable answer for ${what}.`);
  }
  return value as RawRow;
}

function timesOf(list: RawRow[], field: string): number[] {
  return list.map((row) => Number(row[field])).filter(Number.isFinite);
}

function depositsSource(client: Exchange): WindowedSource {
  return {
    windowMs: CAPITAL_WINDOW_MS,
    horizon: BINANCE_LAUNCH,
    paging: 'offset',
    pageSize: CAPITAL_PAGE,
    async read({ startTime, endTime, offset }) {
      const list = rows(
        await api(client).sapiGetCapitalDepositHisrec({ startTime, endTime, offset, limit: CAPITAL_PAGE }),
        'the deposit history',
      );
      const code = codeFor(client);
      return {
        entries: list.map((row) => depositEntry(row, code)),
        times: timesOf(list, 'insertTime'),
        more: list.length >= CAPITAL_PAGE,
      };
    },
  };
}

function withdrawalsSource(client: Exchange): WindowedSource {
  return {
    windowMs: CAPITAL_WINDOW_MS,
    horizon: BINANCE_LAUNCH,
    paging: 'offset',
    pageSize: CAPITAL_PAGE,
    async read({ startTime, endTime, offset }) {
      const list = rows(
        await api(client).sapiGetCapitalWithdrawHistory({ startTime, endTime, offset, limit: CAPITAL_PAGE }),
        'the withdrawal history',
      );
      const code = codeFor(client);
      const entries = list.map((row) => withdrawalEntry(row, code));
      return { entries, times: entries.map((entry) => entry.occurredAt.getTime()), more: list.length >= CAPITAL_PAGE };
    },
  };
}

function convertsSource(client: Exchange): WindowedSource {
  return {
    windowMs: CONVERT_WINDOW_MS,
    horizon: BINANCE_LAUNCH,
    paging: 'end',
    pageSize: CONVERT_PAGE,
    async read({ startTime, endTime }) {
      const answer = object(
        await api(client).sapiGetConvertTradeFlow({ startTime, endTime, limit: CONVERT_PAGE }),
        'the convert history',
      );
      const list = rows(answer.list ?? [], 'the convert history');
      const code = codeFor(client);
      return {
        entries: list.map((row) => convertEntry(row, code)),
        times: timesOf(list, 'createTime'),
        more: answer.moreData === true,
      };
    },
  };
}

export function depositsPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage> {
  return windowedPage(depositsSource(client), request);
}

export function withdrawalsPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage> {
  return windowedPage(withdrawalsSource(client), request);
}

export function convertsPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage> {
  return windowedPage(convertsSource(client), request);
}

/**
 * The dust log: one request answers all Binance keeps (its last 100 conversions, none before
 * December 2020), so backfill and incremental are the same single read.
 */
export async function dustPage(client: Exchange): Promise<HistoryPage> {
  const answer = object(await api(client).sapiGetAssetDribblet({}), 'the dust log');
  return { entries: dustEntries(answer, codeFor(client)), cursor: {}, done: true };
}

/**
 * One market's fills, oldest first from `fromId` (inclusive): backfill from id 0 and incremental
 * from the next id are the same walk; a short page is the end.
 */
export async function tradesPage(client: Exchange, symbol: string, request: HistoryPageRequest): Promise<HistoryPage> {
  await client.loadMarkets();
  const market = client.market(symbol);
  const parts = { id: market.id ?? symbol, base: market.base, quote: market.quote };
  const previous = request.cursor?.fromId;
  const fromId = typeof previous === 'number' && Number.isInteger(previous) && previous >= 0 ? previous : 0;
  const list = rows(
    await api(client).privateGetMyTrades({ symbol: parts.id, fromId, limit: TRADES_PAGE }),
    `the trades of ${symbol}`,
  );
  const code = codeFor(client);
  const entries = list.map((row) => tradeEntry(row, parts, code));
  const ids = list.map((row) => Number(row.id)).filter(Number.isInteger);
  const next = ids.length > 0 ? Math.max(...ids) + 1 : fromId;
  const done = list.length < TRADES_PAGE;
  return {
    entries,
    cursor: { fromId: next },
    done,
    // fromId 0 reads a market from its first trade: nothing of it is ever out of reach.
    ...(done && request.mode === 'backfill' ? { coveredFrom: new Date(BINANCE_LAUNCH) } : {}),
  };
}
