import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import type { SimAccount, SimHistoryEvent, SimRequest, SimResponse } from '../types';

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

const DAY_MS = 86_400_000;
/** KuCoin's classic ledger: `endAt − startAt` at most 24 hours. */
export const CLASSIC_LEDGER_SPAN_MS = DAY_MS;
/** The high-frequency ledger's window (the notes and ccxt's pagination use 7 days). */
export const HF_LEDGER_SPAN_MS = 7 * DAY_MS;
/** "Support to obtain 1 year historical data": older entries are not served. */
export const LEDGER_RETENTION_MS = 365 * DAY_MS;

const ok = (data: unknown): SimResponse => ({ status: 200, body: { code: '200000', data } });
/**
 * KuCoin's parameter error. The ledger's out-of-range answer was seen as HTTP 200 with this body
 * (ccxt PR 27588); ccxt reads the code whatever the status, as BadRequest.
 */
const badRequest = (msg: string): SimResponse => ({ status: 200, body: { code: '400100', msg } });

type AccountType = 'MAIN' | 'TRADE' | 'TRADE_HF';

/** One ledger line as KuCoin stores it, before the endpoint shapes it. */
interface LedgerLine {
  id: string;
  seq: number;
  currency: string;
  amount: string;
  fee: string;
  balance: string;
  accountType: AccountType;
  bizType: string;
  direction: 'in' | 'out';
  createdAt: number;
  context: string;
}

const hex24 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** The ids the simulated ledger gives an event's lines, so tests can name the entries they expect. */
export function simulatedKucoinIds(eventId: string) {
  return {
    /** A classic-ledger line's id (24 hex characters); `leg` 0 is the base/from side, 1 the quote/to side. */
    ledgerId: (leg = 0) => hex24(`ledger:${eventId}:${leg}`),
    orderId: hex24(`order:${eventId}`),
    tradeId: String(BigInt(`0x${hex24(`trade:${eventId}`).slice(0, 13)}`)),
  };
}

interface LineDraft {
  currency: string;
  /** Signed balance change. */
  change: Decimal;
  fee: Decimal;
  accountType: AccountType;
  bizType: string;
  context: Record<string, string>;
}

/**
 * An event's ledger lines. Amounts follow KuCoin: `amount` is positive and already includes the fee
 * (a withdrawal of 100 with fee 1 is an "out" of 101, fee 1; a sale's quote "in" is the proceeds less
 * the fee), so ±amount is the balance change. Deposits, withdrawals, rewards and converts land in the
 * main account; trades in the trading account (`trade_hf` once the account is high-frequency).
 */
function drafts(event: SimHistoryEvent, hf: boolean): LineDraft[] {
  const ids = simulatedKucoinIds(event.id);
  const tradeAccount: AccountType = hf ? 'TRADE_HF' : 'TRADE';
  switch (event.kind) {
    case 'deposit': {
      if ((event.status ?? 'ok') !== 'ok') return [];
      const context = { orderId: ids.orderId, txId: `${event.txHash ?? ids.orderId}@default@0` };
      return [
        {
          currency: event.asset,
          change: new D(event.amount),
          fee: new D(0),
          accountType: 'MAIN',
          bizType: 'Deposit',
          context,
        },
      ];
    }
    case 'withdrawal': {
      if ((event.status ?? 'ok') !== 'ok') return [];
      const context = { orderId: ids.orderId, txId: event.txHash ?? '' };
      const total = new D(event.amount).plus(event.fee);
      return [
        {
          currency: event.asset,
          change: total.neg(),
          fee: new D(event.fee),
          accountType: 'MAIN',
          bizType: 'Withdrawal',
          context,
        },
      ];
    }
    case 'reward':
      return [
        {
          currency: event.asset,
          change: new D(event.amount),
          fee: new D(0),
          accountType: 'MAIN',
          bizType: 'KuCoin Bonus',
          context: {},
        },
      ];
    case 'convert': {
      const context = { orderId: ids.orderId };
      return [
        {
          currency: event.from,
          change: new D(event.fromAmount).neg(),
          fee: new D(0),
          accountType: 'MAIN',
          bizType: 'Instant Exchange',
          context,
        },
        {
          currency: event.to,
          change: new D(event.toAmount),
          fee: new D(0),
          accountType: 'MAIN',
          bizType: 'Instant Exchange',
          context,
        },
      ];
    }
    case 'trade': {
      const context = { symbol: `${event.base}-${event.quote}`, orderId: ids.orderId, tradeId: ids.tradeId };
      const bizType = hf ? 'TRADE_EXCHANGE' : 'Exchange';
      const sign = event.side === 'buy' ? 1 : -1;
      const base = new D(event.amount).times(sign);
      const quote = new D(event.amount).times(event.price).times(-sign);
      const fee = new D(event.fee);
      const baseFee = event.feeAsset === event.base ? fee : new D(0);
      const quoteFee = event.feeAsset === event.quote ? fee : new D(0);
      return [
        {
          currency: event.base,
          change: base.minus(baseFee),
          fee: baseFee,
          accountType: tradeAccount,
          bizType,
          context,
        },
        {
          currency: event.quote,
          change: quote.minus(quoteFee),
          fee: quoteFee,
          accountType: tradeAccount,
          bizType,
          context,
        },
      ];
    }
  }
}

/** Built once per state of an account's history: a backfill asks for a year of windows of it. */
const built = new WeakMap<
  SimAccount,
  { history: SimHistoryEvent[] | undefined; length: number; hf: boolean; lines: LedgerLine[] }
>();

function ledgerLines(account: SimAccount): LedgerLine[] {
  const hf = Boolean(account.highFrequency);
  const cached = built.get(account);
  if (
    cached &&
    cached.history === account.history &&
    cached.length === (account.history?.length ?? 0) &&
    cached.hf === hf
  ) {
    return cached.lines;
  }
  const lines = buildLedgerLines(account);
  built.set(account, { history: account.history, length: account.history?.length ?? 0, hf, lines });
  return lines;
}

/** Every ledger line of an account, oldest first, with running balances per account and currency. */
function buildLedgerLines(account: SimAccount): LedgerLine[] {
  const hf = Boolean(account.highFrequency);
  const events = [...(account.history ?? [])].sort((a, b) => a.time - b.time);
  const balances = new Map<string, Decimal>();
  const lines: LedgerLine[] = [];
  let seq = 0;
  for (const event of events) {
    drafts(event, hf).forEach((draft, leg) => {
      const key = `${draft.accountType}:${draft.currency}`;
      const balance = (balances.get(key) ?? new D(0)).plus(draft.change);
      balances.set(key, balance);
      seq += 1;
      lines.push({
        // HF ledger ids are numbers that grow with time (its `lastId` paging relies on it).
        id:
          draft.accountType === 'TRADE_HF'
            ? String(event.time * 1000 + (seq % 1000))
            : simulatedKucoinIds(event.id).ledgerId(leg),
        seq,
        currency: draft.currency,
        amount: draft.change.abs().toFixed(),
        fee: draft.fee.toFixed(),
        balance: balance.toFixed(),
        accountType: draft.accountType,
        bizType: draft.bizType,
        direction: draft.change.isNegative() ? 'out' : 'in',
        createdAt: event.time,
        context: Object.keys(draft.context).length ? JSON.stringify(draft.context) : '',
      });
    });
  }
  return lines;
}

/** Newest first, as both ledgers sort (createdAt, then id). */
const newestFirst = (a: LedgerLine, b: LedgerLine) => b.createdAt - a.createdAt || b.seq - a.seq;

function integer(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * The query's time range: startAt/endAt inclusive; one alone extends `span` from it, none means the
 * last `span`. Wider than `span` is refused.
 */
function timeRange(req: SimRequest, span: number): { from: number; to: number } | { refusal: SimResponse } {
  const startAt = integer(req.query.get('startAt'));
  const endAt = integer(req.query.get('endAt'));
  if (Number.isNaN(startAt) || Number.isNaN(endAt))
    return { refusal: badRequest('Parameter startAt or endAt is invalid') };
  const to = endAt ?? (startAt !== undefined ? startAt + span : req.now);
  const from = startAt ?? to - span;
  if (to - from > span || to < from) return { refusal: badRequest('not in the given range!') };
  return { from, to };
}

function served(account: SimAccount, req: SimRequest, types: AccountType[], range: { from: number; to: number }) {
  const currencies = req.query.get('currency')?.split(',').filter(Boolean);
  const direction = req.query.get('direction');
  const oldest = req.now - LEDGER_RETENTION_MS;
  return ledgerLines(account)
    .filter((line) => types.includes(line.accountType))
    .filter((line) => line.createdAt <= req.now && line.createdAt >= oldest)
    .filter((line) => line.createdAt >= range.from && line.createdAt <= range.to)
    .filter((line) => !currencies || currencies.includes(line.currency))
    .filter((line) => !direction || line.direction === direction)
    .sort(newestFirst);
}

/** GET /api/v1/accounts/ledgers: the main and classic trading accounts, `currentPage`/`pageSize` pages. */
export function classicLedger(req: SimRequest, account: SimAccount): SimResponse {
  const range = timeRange(req, CLASSIC_LEDGER_SPAN_MS);
  if ('refusal' in range) return range.refusal;
  const pageSize = integer(req.query.get('pageSize')) ?? 50;
  const currentPage = integer(req.query.get('currentPage')) ?? 1;
  if (Number.isNaN(pageSize) || Number.isNaN(currentPage))
    return badRequest('Parameter pageSize or currentPage is invalid');
  if (pageSize > 500) return badRequest('pageSize should not greater than 500');
  const size = Math.max(10, pageSize);
  const page = Math.max(1, currentPage);
  const lines = served(account, req, ['MAIN', 'TRADE'], range);
  return ok({
    currentPage: page,
    pageSize: size,
    totalNum: lines.length,
    totalPage: Math.ceil(lines.length / size),
    items: lines.slice((page - 1) * size, page * size).map((line) => ({
      id: line.id,
      currency: line.currency,
      amount: line.amount,
      fee: line.fee,
      balance: line.balance,
      accountType: line.accountType,
      bizType: line.bizType,
      direction: line.direction,
      createdAt: line.createdAt,
      context: line.context,
    })),
  });
}

/** GET /api/v1/hf/accounts/ledgers: the high-frequency trading account, `lastId` paging, `limit` ≤ 200. */
export function hfLedger(req: SimRequest, account: SimAccount): SimResponse {
  const range = timeRange(req, HF_LEDGER_SPAN_MS);
  if ('refusal' in range) return range.refusal;
  const limit = integer(req.query.get('limit')) ?? 100;
  const lastId = req.query.get('lastId');
  if (Number.isNaN(limit) || (lastId && !/^\d+$/.test(lastId)))
    return badRequest('Parameter limit or lastId is invalid');
  if (limit > 200) return badRequest('limit should not greater than 200');
  const lines = served(account, req, ['TRADE_HF'], range).filter((line) => !lastId || BigInt(line.id) < BigInt(lastId));
  return ok(
    lines.slice(0, Math.max(1, limit)).map((line) => ({
      id: line.id,
      currency: line.currency,
      amount: line.amount,
      fee: line.fee,
      tax: '0',
      balance: line.balance,
      accountType: line.accountType,
      bizType: line.bizType,
      direction: line.direction,
      createdAt: String(line.createdAt),
      context: line.context,
    })),
  );
}
