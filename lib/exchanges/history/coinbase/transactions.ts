import type { Exchange } from 'ccxt';
import { isCcxtError } from '../../errors';
import type { ActivityStatus } from '@/db/schema';
import { assertParsed } from '../../malformed';
import type { ActivityEntry, HistoryPage, HistoryPageRequest, StreamCursor } from '../types';
import { decimalField, earlierTime, isRecord, laterTime, malformed, stringField, timeField, type Raw } from './raw';

/**
 * One Coinbase wallet's transactions (`GET /v2/accounts/:id/transactions`): newest first, up to 100 a
 * page, `starting_after` the last id of the page before. Everything that moved the wallet's balance
 * is there: sends, fiat deposits and withdrawals, rewards, converts, and `advanced_trade_fill`s,
 * which are skipped because the fills stream imports the same trades with their price and fee.
 *
 * An incremental pass reads newest first again and stops at the newest transaction already imported,
 * or at the oldest one still pending (from the last 30 days), so a transfer that was pending is
 * read again once it completes. With nothing new that is one request.
 */

export const TRANSACTIONS_STREAM_PREFIX = 'transactions:';
export const TRANSACTIONS_PAGE_LIMIT = 100;
/** A transaction pending for longer than this is no longer re-read on every incremental pass. */
const PENDING_WATCH_MS = 30 * 24 * 3600_000;
const WHAT = 'the Coinbase transactions';

interface TransactionsApi {
  v2PrivateGetAccountsAccountIdTransactions(params: Record<string, unknown>): Promise<unknown>;
}

export interface TransactionsCursor extends StreamCursor {
  /** `starting_after` for the next page of the pass under way; null between passes. */
  after: string | null;
  /** `created_at` of the newest transaction imported. */
  newest: string | null;
  /** `created_at` of the oldest transaction imported while pending (within the watch window). */
  pendingSince: string | null;
  /** During an incremental pass: how far back it reads, the same on each of its pages. */
  stopAt: string | null;
}

function readCursor(cursor: StreamCursor | null): TransactionsCursor {
  const text = (key: string) => (typeof cursor?.[key] === 'string' ? (cursor[key] as string) : null);
  return { after: text('after'), newest: text('newest'), pendingSince: text('pendingSince'), stopAt: text('stopAt') };
}

const STATUSES: Record<string, ActivityStatus> = {
  completed: 'ok',
  pending: 'pending',
  created: 'pending',
  waiting_for_clearing: 'pending',
  waiting_for_signature: 'pending',
  failed: 'failed',
  expired: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
};

type Kind = ActivityEntry['kind'];
/** Transaction types whose kind does not depend on the sign of the amount. */
const KINDS: Record<string, Kind> = {
  fiat_deposit: 'deposit',
  fiat_withdrawal: 'withdrawal',
  staking_reward: 'reward',
  inflation_reward: 'reward',
  interest: 'reward',
  trade: 'convert',
  buy: 'trade',
  sell: 'trade',
  pro_deposit: 'transfer',
  pro_withdrawal: 'transfer',
  exchange_deposit: 'transfer',
  exchange_withdrawal: 'transfer',
  transfer: 'transfer',
};

/** Fills are imported from the fills stream; their v2 twins would count each trade twice. */
const FILL_TYPE = 'advanced_trade_fill';

/**
 * One wallet transaction as one entry, its amount signed as the wallet's balance moved; null for an
 * `advanced_trade_fill` (the fills stream has it). A send out is split into what arrived and the
 * network fee, which Coinbase counts in the transaction's amount.
 */
export function normaliseTransaction(client: Exchange, tx: Raw): ActivityEntry | null {
  const type = stringField(tx, 'type', WHAT);
  if (type === FILL_TYPE) return null;
  const money = tx.amount;
  if (!isRecord(money)) throw malformed(WHAT, 'no amount');
  const amount = decimalField(money, 'amount', WHAT);
  const currency = stringField(money, 'currency', WHAT);
  const asset = client.safeCurrencyCode(currency) ?? currency;
  const rawStatus = typeof tx.status === 'string' ? tx.status : '';
  const status = STATUSES[rawStatus];
  const notes: string[] = [];
  if (!status) notes.push(`Coinbase status "${rawStatus}" is not recognised; the entry is treated as pending.`);
  const network = isRecord(tx.network) ? tx.network : {};
  const entry: ActivityEntry = {
    kind: 'other',
    externalId: stringField(tx, 'id', WHAT),
    occurredAt: timeField(tx, 'created_at', WHAT),
    asset,
    amount: amount.toFixed(),
    counterAsset: null,
    counterAmount: null,
    price: null,
    feeAsset: null,
    feeAmount: null,
    status: status ?? 'pending',
    network: typeof network.network_name === 'string' ? network.network_name : null,
    txHash: typeof network.hash === 'string' && network.hash !== '' ? network.hash : null,
    note: null,
  };

  if (type === 'send') {
    entry.kind = amount.isNegative() ? 'withdrawal' : 'deposit';
    const fee = network.transaction_fee;
    if (amount.isNegative() && isRecord(fee) && fee.currency === currency) {
      const feeAmount = decimalField(fee, 'amount', WHAT);
      entry.amount = amount.plus(feeAmount).toFixed();
      entry.feeAsset = asset;
      entry.feeAmount = feeAmount.toFixed();
    }
  } else if (KINDS[type]) {
    entry.kind = KINDS[type];
  } else {
    notes.unshift(`Coinbase transaction type "${type}" is not recognised; kept with its amount as reported.`);
  }
  entry.note = notes.length > 0 ? notes.join(' ') : null;
  return entry;
}

/** Coinbase's 404 for a wallet it no longer has (ccxt gives it no class of its own). */
function isWalletGone(error: unknown): boolean {
  return isCcxtError(error, 'ExchangeError') && error instanceof Error && /"id"\s*:\s*"not_found"/.test(error.message);
}

export async function fetchTransactionsPage(
  client: Exchange,
  accountId: string,
  request: HistoryPageRequest,
): Promise<HistoryPage> {
  const prior = readCursor(request.cursor);
  const incremental = request.mode === 'incremental';
  let { stopAt, pendingSince } = prior;
  if (incremental && prior.after === null) {
    // A new pass: back to the newest transaction imported, or the oldest one still pending.
    stopAt = earlierTime(prior.newest, prior.pendingSince);
    pendingSince = null;
  }
  let response: unknown;
  try {
    response = await (client as unknown as TransactionsApi).v2PrivateGetAccountsAccountIdTransactions({
      account_id: accountId,
      limit: TRANSACTIONS_PAGE_LIMIT,
      ...(prior.after ? { starting_after: prior.after } : {}),
    });
  } catch (error) {
    // A wallet Coinbase removed has nothing more to give: what was imported from it stays.
    if (isWalletGone(error)) return { entries: [], cursor: { ...prior, after: null, stopAt: null }, done: true };
    throw error;
  }
  assertParsed(response, WHAT);
  if (!isRecord(response) || !Array.isArray(response.data)) throw malformed(WHAT, 'no transaction list');
  const transactions = response.data.filter(isRecord);
  if (transactions.length !== response.data.length) throw malformed(WHAT, 'a transaction is not an object');
  const pagination = isRecord(response.pagination) ? response.pagination : {};
  const rawNext = pagination.next_starting_after;
  const next = typeof rawNext === 'string' && rawNext !== '' ? rawNext : null;
  if (next !== null && (next === prior.after || transactions.length === 0)) {
    throw malformed(WHAT, 'the page cursor does not move on');
  }

  const watchFrom = request.now.getTime() - PENDING_WATCH_MS;
  const entries: ActivityEntry[] = [];
  let newest = prior.newest;
  let oldest: Date | null = null;
  let reachedStop = false;
  for (const tx of transactions) {
    const createdAt = stringField(tx, 'created_at', WHAT);
    if (incremental && stopAt !== null && Date.parse(createdAt) < Date.parse(stopAt)) {
      reachedStop = true;
      continue;
    }
    newest = laterTime(newest, createdAt);
    const entry = normaliseTransaction(client, tx);
    if (!entry) continue;
    entries.push(entry);
    if (!oldest || entry.occurredAt < oldest) oldest = entry.occurredAt;
    if (entry.status === 'pending' && entry.occurredAt.getTime() >= watchFrom) {
      pendingSince = earlierTime(pendingSince, createdAt);
    }
  }
  const done = next === null || reachedStop;
  return {
    entries,
    cursor: { after: done ? null : next, newest, pendingSince, stopAt: done ? null : stopAt },
    done,
    coveredFrom: incremental ? undefined : oldest,
  };
}
