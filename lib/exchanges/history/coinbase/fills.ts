import Decimal from 'decimal.js';
import type { Exchange } from 'ccxt';
import { assertParsed } from '../../malformed';
import type { ActivityEntry, HistoryPage, HistoryPageRequest, StreamCursor } from '../types';
import { D, decimalField, earlierTime, isRecord, laterTime, malformed, stringField, timeField, type Raw } from './raw';

/**
 * The Advanced Trade fills (`GET /api/v3/brokerage/orders/historical/fills`), every product at once:
 * newest first, up to 1000 a page, Coinbase's opaque `cursor` ("" on the last page). A backfill
 * follows the cursor to the oldest fill; an incremental pass asks for fills from the newest one
 * imported (`start_sequence_timestamp`, inclusive), so with nothing new it is one request.
 */

export const FILLS_STREAM = 'fills';
export const FILLS_PAGE_LIMIT = 1000;
const WHAT = 'the Coinbase fills';
/** Base amounts of quote-sized fills, when the market's precision is unknown. */
const DEFAULT_BASE_DECIMALS = 8;

interface FillsApi {
  v3PrivateGetBrokerageOrdersHistoricalFills(params: Record<string, unknown>): Promise<unknown>;
}

export interface FillsCursor extends StreamCursor {
  /** Coinbase's cursor for the next page of the pass under way; null between passes. */
  page: string | null;
  /** The newest `sequence_timestamp` imported: the next incremental pass starts there. */
  newest: string | null;
  /** The `start_sequence_timestamp` of the incremental pass under way, the same on each of its pages. */
  since: string | null;
}

function readCursor(cursor: StreamCursor | null): FillsCursor {
  const text = (key: string) => (typeof cursor?.[key] === 'string' ? (cursor[key] as string) : null);
  return { page: text('page'), newest: text('newest'), since: text('since') };
}

function amountDecimals(client: Exchange, symbol: string): number {
  const precision = client.markets?.[symbol]?.precision?.amount;
  if (typeof precision !== 'number' || !(precision > 0)) return DEFAULT_BASE_DECIMALS;
  // ccxt gives Coinbase's base_increment as a tick size (1e-8).
  return precision < 1 ? new D(precision).decimalPlaces() : 0;
}

/** One fill as one trade entry: base and quote signed as the balances moved, the commission in quote. */
export function normaliseFill(client: Exchange, fill: Raw): ActivityEntry {
  const productId = stringField(fill, 'product_id', WHAT);
  const market = client.safeMarket(productId, undefined, '-');
  const base = market.base ?? productId.split('-')[0] ?? productId;
  const quote = market.quote ?? productId.split('-')[1] ?? productId;
  const price = decimalField(fill, 'price', WHAT);
  const size = decimalField(fill, 'size', WHAT);
  const commission = decimalField(fill, 'commission', WHAT);
  const notes: string[] = [];

  let baseAmount: Decimal;
  let quoteAmount: Decimal;
  if (fill.size_in_quote === true) {
    // A market order sized in quote currency: Coinbase gives the quote amount; the coins are quote ÷ price.
    if (price.isZero()) throw malformed(WHAT, 'a quote-sized fill has no price');
    quoteAmount = size;
    const exact = size.div(price);
    baseAmount = exact.toDecimalPlaces(amountDecimals(client, market.symbol ?? ''), Decimal.ROUND_DOWN);
    if (!baseAmount.eq(exact)) {
      notes.push(
        `Coinbase reported this fill in ${quote}; the ${base} amount is calculated and may differ in the last digit.`,
      );
    }
  } else {
    baseAmount = size;
    quoteAmount = size.times(price);
  }

  const side = fill.side;
  let sign = 1;
  if (side === 'SELL') sign = -1;
  else if (side !== 'BUY') notes.push(`Coinbase fill with side "${String(side)}"; amounts are shown unsigned.`);
  const tradeType = fill.trade_type ?? 'FILL';
  const known = tradeType === 'FILL' && (side === 'BUY' || side === 'SELL');
  if (tradeType !== 'FILL')
    notes.push(`Coinbase fill of type "${String(tradeType)}", which Coinsphere does not interpret.`);

  return {
    kind: known ? 'trade' : 'other',
    externalId:
      typeof fill.entry_id === 'string' && fill.entry_id ? fill.entry_id : stringField(fill, 'trade_id', WHAT),
    occurredAt: timeField(fill, 'trade_time', WHAT),
    asset: base,
    amount: baseAmount.times(sign).toFixed(),
    counterAsset: quote,
    counterAmount: quoteAmount.times(side === 'BUY' ? -1 : 1).toFixed(),
    price: price.toFixed(),
    feeAsset: quote,
    feeAmount: commission.toFixed(),
    status: 'ok',
    note: notes.length > 0 ? notes.join(' ') : null,
  };
}

export async function fetchFillsPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage> {
  const prior = readCursor(request.cursor);
  const incremental = request.mode === 'incremental';
  // An incremental pass keeps its start on every page; a new one starts at the newest fill imported.
  const since = incremental ? (prior.page ? prior.since : prior.newest) : null;
  const response = await (client as unknown as FillsApi).v3PrivateGetBrokerageOrdersHistoricalFills({
    limit: FILLS_PAGE_LIMIT,
    ...(prior.page ? { cursor: prior.page } : {}),
    ...(since ? { start_sequence_timestamp: since } : {}),
  });
  assertParsed(response, WHAT);
  if (!isRecord(response) || !Array.isArray(response.fills)) throw malformed(WHAT, 'no fill list');
  const fills = response.fills.filter(isRecord);
  if (fills.length !== response.fills.length) throw malformed(WHAT, 'a fill is not an object');
  const next = response.cursor ?? '';
  if (typeof next !== 'string') throw malformed(WHAT, 'the cursor is not text');
  if (next !== '' && (next === prior.page || fills.length === 0)) throw malformed(WHAT, 'the cursor does not move on');

  const entries = fills.map((fill) => normaliseFill(client, fill));
  let newest = prior.newest;
  let oldest: string | null = null;
  for (const fill of fills) {
    newest = laterTime(newest, stringField(fill, 'sequence_timestamp', WHAT));
    oldest = earlierTime(oldest, stringField(fill, 'trade_time', WHAT));
  }
  const done = next === '';
  return {
    entries,
    cursor: { page: done ? null : next, newest, since: done ? null : since },
    done,
    coveredFrom: !incremental && oldest ? new Date(Date.parse(oldest)) : undefined,
  };
}
