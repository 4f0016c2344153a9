import Decimal from 'decimal.js';
import type { Exchange, LedgerEntry, Trade, Transaction } from 'ccxt';
import type { ActivityKind, ActivityStatus } from '@/db/schema';
import type { ActivityEntry } from '../types';

/**
 * ccxt's unified structures as entries. ccxt parses amounts into floats; an amount is taken from the
 * exchange's raw `info` where a field there says the same number (exact), else from the float through
 * `numberToString` (its shortest exact form).
 */

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

const AMOUNT_FIELDS = ['amount', 'qty', 'quantity', 'size', 'vol', 'volume', 'executedQty', 'change'];
const PRICE_FIELDS = ['price', 'px', 'fill_price', 'fillPrice', 'tradePrice'];
const FEE_FIELDS = ['fee', 'commission', 'fee_amount', 'feeAmount', 'transactionFee', 'txFee'];

type Info = Record<string, unknown> | undefined;

/** The unsigned exact decimal of `value`: a raw field holding the same number, or the float itself. */
export function exactAmount(client: Exchange, value: number | undefined, info: Info, fields: string[]): string | null {
  if (value === undefined || value === null || !Number.isFinite(value)) return null;
  for (const field of fields) {
    const raw = info?.[field];
    if ((typeof raw === 'string' || typeof raw === 'number') && Math.abs(Number(raw)) === Math.abs(value)) {
      try {
        return new D(String(raw).trim()).abs().toFixed();
      } catch {
        // Not a plain decimal after all: fall back to the float.
      }
    }
  }
  return new D(client.numberToString(Math.abs(value))).toFixed();
}

const neg = (value: string) => new D(value).neg().toFixed();

function statusOf(status: string | undefined): ActivityStatus {
  if (status === undefined || status === 'ok') return 'ok';
  if (status === 'pending' || status === 'failed' || status === 'canceled') return status;
  return 'pending';
}

function assetsOf(client: Exchange, symbol: string | undefined): [string, string] | null {
  if (!symbol) return null;
  const market = client.markets?.[symbol];
  if (market?.base && market.quote) return [market.base, market.quote];
  const [base, rest] = symbol.split('/');
  const quote = rest?.split(':')[0];
  return base && quote ? [base, quote] : null;
}

const LEDGER_KINDS: Record<string, ActivityKind> = {
  trade: 'trade',
  deposit: 'deposit',
  withdrawal: 'withdrawal',
  fee: 'fee',
  transfer: 'transfer',
  rebate: 'reward',
  cashback: 'reward',
  referral: 'reward',
  airdrop: 'reward',
  reward: 'reward',
  staking: 'reward',
  interest: 'reward',
};

export function ledgerEntry(client: Exchange, exchangeName: string, entry: LedgerEntry): ActivityEntry {
  const info = entry.info as Info;
  const unsigned = exactAmount(client, entry.amount, info, AMOUNT_FIELDS) ?? '0';
  const amount = entry.direction === 'out' ? neg(unsigned) : unsigned;
  const type = entry.type ?? 'unknown';
  let kind = LEDGER_KINDS[type];
  if (type === 'transaction') kind = entry.direction === 'out' ? 'withdrawal' : 'deposit';
  const feeAmount = entry.fee?.cost ? exactAmount(client, entry.fee.cost, info, FEE_FIELDS) : null;
  return {
    kind: kind ?? 'other',
    externalId: entry.id ?? `${entry.timestamp}:${entry.currency}:${amount}`,
    occurredAt: new Date(entry.timestamp ?? 0),
    asset: entry.currency ?? 'UNKNOWN',
    amount,
    feeAsset: feeAmount ? (entry.fee?.currency ?? entry.currency ?? null) : null,
    feeAmount,
    status: statusOf(entry.status),
    note: kind ? null : `A "${type}" entry of ${exchangeName}’s ledger, which Coinsphere does not interpret.`,
  };
}

export function tradeEntry(client: Exchange, exchangeName: string, trade: Trade): ActivityEntry {
  const info = trade.info as Info;
  const assets = assetsOf(client, trade.symbol);
  const amount = exactAmount(client, trade.amount, info, AMOUNT_FIELDS) ?? '0';
  const price = exactAmount(client, trade.price, info, PRICE_FIELDS);
  const cost = price ? new D(amount).times(price).toFixed() : exactAmount(client, trade.cost, undefined, []);
  const buy = trade.side === 'buy';
  const sell = trade.side === 'sell';
  const feeAmount = trade.fee?.cost ? exactAmount(client, trade.fee.cost, info, FEE_FIELDS) : null;
  return {
    kind: assets && (buy || sell) ? 'trade' : 'other',
    externalId: `${trade.symbol ?? ''}:${trade.id ?? trade.timestamp}`,
    occurredAt: new Date(trade.timestamp ?? 0),
    asset: assets?.[0] ?? trade.symbol ?? 'UNKNOWN',
    amount: sell ? neg(amount) : amount,
    counterAsset: assets?.[1] ?? null,
    counterAmount: cost === null ? null : buy ? neg(cost) : cost,
    price,
    feeAsset: feeAmount ? (trade.fee?.currency ?? null) : null,
    feeAmount,
    status: 'ok',
    note: assets && (buy || sell) ? null : `A trade ${exchangeName} reported without a market or side.`,
  };
}

/** A deposit or withdrawal; `kind` is which list it came from, when ccxt leaves its type out. */
export function transferEntry(
  client: Exchange,
  transaction: Transaction,
  kind: 'deposit' | 'withdrawal',
): ActivityEntry {
  const info = transaction.info as Info;
  const amount = exactAmount(client, transaction.amount, info, AMOUNT_FIELDS) ?? '0';
  const withdrawal = (transaction.type ?? kind) === 'withdrawal';
  const feeAmount = transaction.fee?.cost ? exactAmount(client, transaction.fee.cost, info, FEE_FIELDS) : null;
  return {
    kind: withdrawal ? 'withdrawal' : 'deposit',
    externalId: transaction.id ?? transaction.txid ?? `${transaction.timestamp}:${transaction.currency}:${amount}`,
    occurredAt: new Date(transaction.timestamp ?? 0),
    asset: transaction.currency ?? 'UNKNOWN',
    amount: withdrawal ? neg(amount) : amount,
    feeAsset: feeAmount ? (transaction.fee?.currency ?? transaction.currency ?? null) : null,
    feeAmount,
    status: statusOf(transaction.status),
    network: transaction.network ?? null,
    txHash: transaction.txid ?? null,
  };
}
