import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import type { SimAccount, SimContext, SimHistoryEvent, SimRequest, SimResponse } from '../types';

/**
 * Binance's history endpoints, serving `account.history` in Binance's shapes and with its rules:
 * myTrades per symbol (ids per symbol, oldest first, `fromId` inclusive, 24-hour time ranges),
 * deposits and withdrawals newest first in at most 90-day ranges with offset paging, convert history
 * in at most 30-day ranges with `moreData`, and the dust log. Only events up to now are served.
 */

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const DAY_MS = 86_400_000;

type Params = URLSearchParams;
type Trade = Extract<SimHistoryEvent, { kind: 'trade' }>;
type Deposit = Extract<SimHistoryEvent, { kind: 'deposit' }>;
type Withdrawal = Extract<SimHistoryEvent, { kind: 'withdrawal' }>;
type Convert = Extract<SimHistoryEvent, { kind: 'convert' }>;

function error(status: number, code: number, msg: string): SimResponse {
  return { status, body: { code, msg } };
}

const ok = (body: unknown): SimResponse => ({ status: 200, body });

const mandatory = (name: string) =>
  error(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
const badLimit = () => error(400, -1130, "Data sent for parameter 'limit' is not valid.");
const tooLong = (span: string) => error(400, -1127, `More than ${span} between startTime and endTime.`);

function eight(amount: string | Decimal): string {
  return new D(amount).toFixed(8);
}

/** Events of one kind up to now, in the account's order (which is time order for seeded histories). */
function served<K extends SimHistoryEvent['kind']>(account: SimAccount, kind: K, now: number) {
  return (account.history ?? []).filter(
    (event): event is Extract<SimHistoryEvent, { kind: K }> => event.kind === kind && event.time <= now,
  );
}

function integer(params: Params, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  return Number.isInteger(value) ? value : Number.NaN;
}

/** `limit` within [1, max], `fallback` when absent; null when invalid. */
function limitOf(params: Params, fallback: number, max: number): number | null {
  const limit = integer(params, 'limit') ?? fallback;
  return Number.isInteger(limit) && limit >= 1 && limit <= max ? limit : null;
}

/** A stable number for a string id (orderIds, convert order ids), within the safe integer range. */
function numberFor(id: string): number {
  return createHash('sha256').update(id).digest().readUIntBE(0, 6);
}

// ---------------------------------------------------------------------------------------------
// GET /api/v3/myTrades

/** A symbol's trades with Binance's per-symbol ids: 1, 2, 3 … in the order they happened. */
function tradesOf(account: SimAccount, symbol: string, now: number): Array<{ id: number; trade: Trade }> {
  const all = (account.history ?? []).filter(
    (event): event is Trade => event.kind === 'trade' && event.base + event.quote === symbol,
  );
  return all.map((trade, index) => ({ id: index + 1, trade })).filter(({ trade }) => trade.time <= now);
}

function tradeRow(symbol: string, id: number, trade: Trade) {
  return {
    symbol,
    id,
    orderId: numberFor(`order:${trade.id}`),
    orderListId: -1,
    price: eight(trade.price),
    qty: eight(trade.amount),
    quoteQty: eight(new D(trade.amount).times(trade.price)),
    commission: eight(trade.fee),
    commissionAsset: trade.feeAsset,
    time: trade.time,
    isBuyer: trade.side === 'buy',
    isMaker: false,
    isBestMatch: true,
  };
}

export function myTrades(
  account: SimAccount,
  params: Params,
  req: SimRequest,
  isListed: (symbol: string) => boolean,
): SimResponse {
  const symbol = params.get('symbol');
  if (!symbol) return mandatory('symbol');
  if (!isListed(symbol)) return error(400, -1121, 'Invalid symbol.');
  const limit = limitOf(params, 500, 1000);
  if (limit === null) return badLimit();
  const fromId = integer(params, 'fromId');
  let startTime = integer(params, 'startTime');
  let endTime = integer(params, 'endTime');
  if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) {
    return error(400, -1128, 'Combination of optional parameters invalid.');
  }
  if (Number.isNaN(fromId) || Number.isNaN(startTime) || Number.isNaN(endTime)) return mandatory('fromId');
  if (startTime !== undefined && endTime === undefined) endTime = startTime + DAY_MS;
  if (endTime !== undefined && startTime === undefined) startTime = endTime - DAY_MS;
  if (startTime !== undefined && endTime !== undefined && endTime - startTime > DAY_MS) return tooLong('24 hours');

  let rows = tradesOf(account, symbol, req.now);
  if (fromId !== undefined) rows = rows.filter(({ id }) => id >= fromId).slice(0, limit);
  else if (startTime !== undefined && endTime !== undefined) {
    rows = rows.filter(({ trade }) => trade.time >= startTime! && trade.time <= endTime!).slice(0, limit);
  } else rows = rows.slice(-limit); // the most recent, still oldest first
  return ok(rows.map(({ id, trade }) => tradeRow(symbol, id, trade)));
}

// ---------------------------------------------------------------------------------------------
// Time ranges of the capital and convert endpoints

type Range = { start: number; end: number } | { refusal: SimResponse };

/** startTime/endTime as Binance reads them: either alone spans `maxMs`, neither means the last `maxMs`. */
function rangeOf(params: Params, now: number, maxMs: number, span: string, required = false): Range {
  const start = integer(params, 'startTime');
  const end = integer(params, 'endTime');
  if (required && start === undefined) return { refusal: mandatory('startTime') };
  if (required && end === undefined) return { refusal: mandatory('endTime') };
  if (Number.isNaN(start)) return { refusal: mandatory('startTime') };
  if (Number.isNaN(end)) return { refusal: mandatory('endTime') };
  const from = start ?? (end !== undefined ? end - maxMs : now - maxMs);
  const to = end ?? (start !== undefined ? start + maxMs : now);
  if (to - from > maxMs) return { refusal: tooLong(span) };
  return { start: from, end: to };
}

/** Newest first, then `offset`/`limit`: the capital endpoints' paging. */
function newestFirst<T extends { time: number }>(events: T[], range: { start: number; end: number }): T[] {
  return events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => event.time >= range.start && event.time <= range.end)
    .sort((a, b) => b.event.time - a.event.time || b.index - a.index)
    .map(({ event }) => event);
}

function offsetPage<T>(rows: T[], params: Params, limit: number): T[] {
  const offset = Math.max(0, integer(params, 'offset') ?? 0) || 0;
  return rows.slice(offset, offset + limit);
}

const NINETY_DAYS_MS = 90 * DAY_MS;

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/capital/deposit/hisrec

const DEPOSIT_STATUS = { ok: 1, pending: 0, failed: 7 } as const;

function depositRow(deposit: Deposit) {
  return {
    id: deposit.id,
    amount: eight(deposit.amount),
    coin: deposit.asset,
    network: deposit.network ?? deposit.asset,
    status: DEPOSIT_STATUS[deposit.status ?? 'ok'],
    address: `sim-address-${deposit.asset.toLowerCase()}`,
    addressTag: '',
    txId: deposit.txHash ?? '',
    insertTime: deposit.time,
    completeTime: deposit.time,
    transferType: 0,
    confirmTimes: '12/12',
    unlockConfirm: 0,
    walletType: 0,
  };
}

export function depositHistory(account: SimAccount, params: Params, req: SimRequest): SimResponse {
  const range = rangeOf(params, req.now, NINETY_DAYS_MS, '90 days');
  if ('refusal' in range) return range.refusal;
  const limit = limitOf(params, 1000, 1000);
  if (limit === null) return badLimit();
  const coin = params.get('coin');
  const events = served(account, 'deposit', req.now).filter((d) => !coin || d.asset === coin);
  return ok(offsetPage(newestFirst(events, range), params, limit).map(depositRow));
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/capital/withdraw/history

const WITHDRAWAL_STATUS = { ok: 6, pending: 4, failed: 5 } as const;

/** "2019-10-12 11:12:02": Binance writes a withdrawal's times in UTC, to the second. */
function utcSeconds(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

function withdrawalRow(withdrawal: Withdrawal) {
  return {
    id: withdrawal.id,
    amount: eight(withdrawal.amount),
    transactionFee: eight(withdrawal.fee),
    coin: withdrawal.asset,
    status: WITHDRAWAL_STATUS[withdrawal.status ?? 'ok'],
    address: '0x94df8b352de7f46f64b01d3666bf6e936e44ce60',
    txId: withdrawal.txHash ?? '',
    applyTime: utcSeconds(withdrawal.time),
    network: withdrawal.network ?? withdrawal.asset,
    transferType: 0,
    info: '',
    confirmNo: 12,
    walletType: 0,
    txKey: '',
    completeTime: utcSeconds(withdrawal.time),
  };
}

export function withdrawHistory(account: SimAccount, params: Params, req: SimRequest): SimResponse {
  const range = rangeOf(params, req.now, NINETY_DAYS_MS, '90 days');
  if ('refusal' in range) return range.refusal;
  const limit = limitOf(params, 1000, 1000);
  if (limit === null) return badLimit();
  const coin = params.get('coin');
  const events = served(account, 'withdrawal', req.now).filter((w) => !coin || w.asset === coin);
  return ok(offsetPage(newestFirst(events, range), params, limit).map(withdrawalRow));
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/convert/tradeFlow

const THIRTY_DAYS_MS = 30 * DAY_MS;

function convertRow(convert: Convert) {
  const from = new D(convert.fromAmount);
  const to = new D(convert.toAmount);
  return {
    quoteId: convert.id,
    orderId: numberFor(`convert:${convert.id}`),
    orderStatus: 'SUCCESS',
    fromAsset: convert.from,
    fromAmount: convert.fromAmount,
    toAsset: convert.to,
    toAmount: convert.toAmount,
    ratio: to.div(from).toDecimalPlaces(8).toFixed(),
    inverseRatio: from.div(to).toDecimalPlaces(8).toFixed(),
    createTime: convert.time,
  };
}

export function convertTradeFlow(account: SimAccount, params: Params, req: SimRequest): SimResponse {
  const range = rangeOf(params, req.now, THIRTY_DAYS_MS, '30 days', true);
  if ('refusal' in range) return range.refusal;
  const limit = limitOf(params, 100, 1000);
  if (limit === null) return badLimit();
  const rows = newestFirst(served(account, 'convert', req.now), range);
  return ok({
    list: rows.slice(0, limit).map(convertRow),
    startTime: range.start,
    endTime: range.end,
    limit,
    moreData: rows.length > limit,
  });
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/asset/dribblet

/** Simulated histories hold no dust conversions: the log is Binance's empty answer. */
export function dustLog(): SimResponse {
  return ok({ total: 0, userAssetDribblets: [] });
}

/** Markets the account's history traded on, so the simulated exchange lists them. */
export function tradedPairs(ctx: SimContext): [string, string][] {
  const pairs: [string, string][] = [];
  for (const account of ctx.accounts.values()) {
    if (account.exchange !== 'binance') continue;
    for (const event of account.history ?? []) if (event.kind === 'trade') pairs.push([event.base, event.quote]);
  }
  return pairs;
}
