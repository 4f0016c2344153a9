import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import type { SimAccount, SimContext, SimHistoryEvent, SimRequest, SimResponse } from '../types';
import { accountUuid, errorBody, FIAT, fakeUuid, v2Error, walletKeysOf } from './coinbase-common';

/**
 * Coinbase's history endpoints over `account.history`: the Advanced Trade fills
 * (`GET /api/v3/brokerage/orders/historical/fills`: newest first, `limit` ≤ 1000, an opaque `cursor`
 * that is "" on the last page, `start_sequence_timestamp` inclusive / `end_sequence_timestamp`
 * exclusive, `product_ids`) and each wallet's v2 transactions (`GET /v2/accounts/:id/transactions`:
 * `order` desc by default, `limit` 1–100 (25 by default), `starting_after` / `ending_before` ids,
 * `pagination.next_starting_after` null on the last page). A trade is a fill and also, as on Coinbase,
 * one `advanced_trade_fill` transaction in each of its two wallets; a convert is a `trade` transaction
 * in each wallet. Only events whose time has come are served.
 */

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
const FILLS_MAX_LIMIT = 1000;
const FILLS_DEFAULT_LIMIT = 100;
const TRANSACTIONS_MAX_LIMIT = 100;
const TRANSACTIONS_DEFAULT_LIMIT = 25;
const TRANSACTIONS_PATH = /^\/v2\/accounts\/([^/]+)\/transactions$/;

type Json = Record<string, unknown>;
type PrivateRoute = (req: SimRequest, ctx: SimContext, account: SimAccount) => SimResponse;

const permissionDenied = () => errorBody(403, 'PERMISSION_DENIED', 'Missing required scopes');

function served(account: SimAccount, now: number): SimHistoryEvent[] {
  return (account.history ?? [])
    .filter((event) => event.time <= now)
    .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

/** RFC 3339 with sub-millisecond digits, as Coinbase writes fill times. */
const nanoTime = (ms: number, digits: string) => `${new Date(ms).toISOString().slice(0, -1)}${digits}Z`;

/** Whole seconds, as v2 writes `created_at`. */
const secondTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Coinbase pads amounts to eight decimals (more when the amount has more). */
function padded(value: Decimal): string {
  return value.toFixed(Math.max(8, value.decimalPlaces()));
}

// ---------------------------------------------------------------------------------------------
// Fills.

interface Fill extends Json {
  entry_id: string;
  sequence_timestamp: string;
}

/** Every other buy is a market order sized in quote currency: Coinbase reports its size in quote. */
const quoteSized = (event: Extract<SimHistoryEvent, { kind: 'trade' }>) =>
  event.side === 'buy' && parseInt(hex(event.id).slice(0, 2), 16) % 2 === 0;

function fillOf(account: SimAccount, event: Extract<SimHistoryEvent, { kind: 'trade' }>): Fill {
  const inQuote = quoteSized(event);
  const size = inQuote ? new D(event.amount).times(event.price) : new D(event.amount);
  return {
    entry_id: coinbaseIdsOf(account.apiKey, event, 'fill').fill,
    trade_id: coinbaseIdsOf(account.apiKey, event, 'fill').trade,
    order_id: fakeUuid(`order:${event.id}`),
    trade_time: nanoTime(event.time, '417'),
    trade_type: 'FILL',
    price: event.price,
    size: size.toFixed(),
    commission: event.fee,
    product_id: `${event.base}-${event.quote}`,
    sequence_timestamp: nanoTime(event.time, '902'),
    liquidity_indicator: 'TAKER',
    size_in_quote: inQuote,
    user_id: fakeUuid(`user:${account.apiKey}`),
    side: event.side === 'buy' ? 'BUY' : 'SELL',
    retail_portfolio_id: fakeUuid(`portfolio:${account.apiKey}`),
  };
}

/**
 * The opaque cursor: the last fill served and the query it belongs to. Like Coinbase's, it is only
 * good for the same filters: a next page asked for with other ones is refused.
 */
const encodeCursor = (entryId: string, query: string) =>
  Buffer.from(JSON.stringify([entryId, query])).toString('base64url');
function decodeCursor(cursor: string, query: string): string | null {
  try {
    const [entryId, forQuery] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    return typeof entryId === 'string' && forQuery === query ? entryId : null;
  } catch {
    return null;
  }
}

function timeParam(req: SimRequest, name: string): number | null | 'invalid' {
  const value = req.query.get(name);
  if (value === null || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 'invalid' : ms;
}

function fills(req: SimRequest, _ctx: SimContext, account: SimAccount): SimResponse {
  if (!account.permissions.read) return permissionDenied();
  const limit = Number(req.query.get('limit') ?? FILLS_DEFAULT_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > FILLS_MAX_LIMIT) {
    return errorBody(400, 'INVALID_ARGUMENT', `limit must be between 1 and ${FILLS_MAX_LIMIT}`);
  }
  const start = timeParam(req, 'start_sequence_timestamp');
  const end = timeParam(req, 'end_sequence_timestamp');
  if (start === 'invalid' || end === 'invalid') {
    return errorBody(400, 'INVALID_ARGUMENT', 'invalid sequence timestamp, expected RFC3339');
  }
  const products = req.query.getAll('product_ids');
  const all = served(account, req.now)
    .filter((event): event is Extract<SimHistoryEvent, { kind: 'trade' }> => event.kind === 'trade')
    .map((event) => fillOf(account, event))
    .filter((fill) => {
      const at = Date.parse(fill.sequence_timestamp);
      return (
        (start === null || at >= start) &&
        (end === null || at < end) &&
        (products.length === 0 || products.includes(String(fill.product_id)))
      );
    });
  const cursor = req.query.get('cursor');
  const query = JSON.stringify([start, end, products]);
  let from = 0;
  if (cursor) {
    const after = decodeCursor(cursor, query);
    const index = after === null ? -1 : all.findIndex((fill) => fill.entry_id === after);
    if (index === -1) return errorBody(400, 'INVALID_ARGUMENT', 'invalid cursor');
    from = index + 1;
  }
  const page = all.slice(from, from + limit);
  const more = from + page.length < all.length;
  return { status: 200, body: { fills: page, cursor: more ? encodeCursor(page.at(-1)!.entry_id, query) : '' } };
}

// ---------------------------------------------------------------------------------------------
// v2 transactions.

interface Transaction extends Json {
  id: string;
  /** For ordering; not part of the answer. */
  at: number;
}

function money(amount: Decimal, currency: string) {
  return { amount: padded(amount), currency };
}

const STATUS = { ok: 'completed', pending: 'pending', failed: 'failed' } as const;

/** The transactions one event makes in the wallet of `currency` (none when it does not touch it). */
function transactionsOf(
  account: SimAccount,
  walletId: string,
  currency: string,
  event: SimHistoryEvent,
): Transaction[] {
  const make = (leg: string, type: string, amount: Decimal, extra: Json = {}, status = 'completed'): Transaction => {
    const id = coinbaseIdsOf(account.apiKey, event, leg).transaction;
    return {
      id,
      at: event.time,
      type,
      status,
      amount: money(amount, currency),
      description: null,
      created_at: secondTime(event.time),
      updated_at: secondTime(event.time),
      resource: 'transaction',
      resource_path: `/v2/accounts/${walletId}/transactions/${id}`,
      instant_exchange: false,
      ...extra,
    };
  };
  const fiat = FIAT.has(currency);
  switch (event.kind) {
    case 'trade': {
      const base = new D(event.amount);
      const quote = base.times(event.price);
      const buy = event.side === 'buy';
      const detail = {
        advanced_trade_fill: {
          fill_price: event.price,
          product_id: `${event.base}-${event.quote}`,
          order_id: fakeUuid(`order:${event.id}`),
          commission: event.fee,
          order_side: event.side,
        },
      };
      const legs: Transaction[] = [];
      if (currency === event.base) legs.push(make('base', 'advanced_trade_fill', buy ? base : base.neg(), detail));
      if (currency === event.quote) {
        const change = (buy ? quote.neg() : quote).minus(event.feeAsset === event.quote ? event.fee : 0);
        legs.push(make('quote', 'advanced_trade_fill', change, detail));
      }
      return legs;
    }
    case 'deposit': {
      if (currency !== event.asset) return [];
      const status = STATUS[event.status ?? 'ok'];
      if (fiat) {
        const resource = { id: fakeUuid(`deposit:${event.id}`), resource: 'fiat_deposit' };
        return [make('in', 'fiat_deposit', new D(event.amount), { fiat_deposit: resource }, status)];
      }
      const network = {
        status: status === 'completed' ? 'confirmed' : status,
        hash: event.txHash,
        network_name: event.network,
      };
      return [
        make('in', 'send', new D(event.amount), { network, from: { resource: 'ethereum_network', currency } }, status),
      ];
    }
    case 'withdrawal': {
      if (currency !== event.asset) return [];
      const status = STATUS[event.status ?? 'ok'];
      // The transaction's amount is everything that left the wallet: what arrived plus the network fee.
      const total = new D(event.amount).plus(event.fee).neg();
      if (fiat) {
        const resource = { id: fakeUuid(`withdrawal:${event.id}`), resource: 'fiat_withdrawal' };
        return [make('out', 'fiat_withdrawal', total, { fiat_withdrawal: resource }, status)];
      }
      const network = {
        status: status === 'completed' ? 'confirmed' : status,
        hash: event.txHash,
        network_name: event.network,
        transaction_fee: money(new D(event.fee), currency),
        transaction_amount: money(new D(event.amount), currency),
      };
      return [
        make(
          'out',
          'send',
          total,
          { network, to: { resource: 'ethereum_address', address: `0x${hex(event.id).slice(0, 40)}` } },
          status,
        ),
      ];
    }
    case 'reward':
      return currency === event.asset ? [make('in', 'staking_reward', new D(event.amount))] : [];
    case 'convert': {
      const trade = { id: fakeUuid(`convert:${event.id}`), resource: 'trade' };
      const legs: Transaction[] = [];
      if (currency === event.from) legs.push(make('from', 'trade', new D(event.fromAmount).neg(), { trade }));
      if (currency === event.to) legs.push(make('to', 'trade', new D(event.toAmount), { trade }));
      return legs;
    }
  }
}

function transactions(req: SimRequest, _ctx: SimContext, account: SimAccount): SimResponse {
  if (!account.permissions.read) return v2Error(403, 'invalid_scope', 'Invalid scope');
  const walletId = TRANSACTIONS_PATH.exec(req.path)?.[1] ?? '';
  // Only a currency's default wallet holds history; a labelled second wallet has none.
  const walletKey = walletKeysOf(account).find((key) => accountUuid(account, key) === walletId);
  if (walletKey === undefined) return v2Error(404, 'not_found', 'Not found');
  const limit = Number(req.query.get('limit') ?? TRANSACTIONS_DEFAULT_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > TRANSACTIONS_MAX_LIMIT) {
    return v2Error(400, 'invalid_request', `limit must be between 1 and ${TRANSACTIONS_MAX_LIMIT}`);
  }
  const order = req.query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') return v2Error(400, 'invalid_request', 'order must be asc or desc');
  const newestFirst = walletKey.includes('#')
    ? []
    : served(account, req.now).flatMap((event) => transactionsOf(account, walletId, walletKey, event));
  const all = order === 'desc' ? newestFirst : [...newestFirst].reverse();

  const startingAfter = req.query.get('starting_after');
  const endingBefore = req.query.get('ending_before');
  const indexOf = (id: string) => all.findIndex((tx) => tx.id === id);
  let page: Transaction[];
  let more: boolean;
  if (startingAfter) {
    const index = indexOf(startingAfter);
    if (index === -1) return v2Error(400, 'invalid_request', 'starting_after is not a transaction of this account');
    page = all.slice(index + 1, index + 1 + limit);
    more = index + 1 + page.length < all.length;
  } else if (endingBefore) {
    const index = indexOf(endingBefore);
    if (index === -1) return v2Error(400, 'invalid_request', 'ending_before is not a transaction of this account');
    page = all.slice(Math.max(0, index - limit), index);
    more = index < all.length;
  } else {
    page = all.slice(0, limit);
    more = page.length < all.length;
  }
  const base = `/v2/accounts/${walletId}/transactions`;
  const last = page.at(-1)?.id ?? null;
  return {
    status: 200,
    body: {
      pagination: {
        ending_before: endingBefore,
        starting_after: startingAfter,
        previous_ending_before: page[0]?.id ?? null,
        next_starting_after: more ? last : null,
        limit,
        order,
        previous_uri: null,
        next_uri: more ? `${base}?limit=${limit}&order=${order}&starting_after=${last}` : null,
      },
      data: page.map(({ at: _at, ...tx }) => tx),
    },
  };
}

/** The history route for a path, if it is one. */
export function historyRoute(path: string): PrivateRoute | undefined {
  if (path === '/api/v3/brokerage/orders/historical/fills') return fills;
  if (TRANSACTIONS_PATH.test(path)) return transactions;
  return undefined;
}

/**
 * The ids Coinbase gives an event, for tests that build the expected entries themselves: the fill's
 * `entry_id` and `trade_id`, and the v2 transaction id of each leg ('base'/'quote' of a trade, 'in' of a deposit or
 * reward, 'out' of a withdrawal, 'from'/'to' of a convert).
 */
export function coinbaseIdsOf(
  apiKey: string,
  event: SimHistoryEvent,
  leg: string,
): { fill: string; trade: string; transaction: string } {
  return {
    fill: hex(`${apiKey}:fill:${event.id}`),
    trade: fakeUuid(`trade:${event.id}`),
    transaction: fakeUuid(`tx:${apiKey}:${event.id}:${leg}`),
  };
}
