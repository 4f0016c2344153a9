import type { Exchange } from 'ccxt';
import type { ActivityKind } from '@/db/schema';
import { MalformedResponseError } from '../../malformed';

/**
 * One KuCoin ledger line (classic `accounts/ledgers` or `hf/accounts/ledgers`), read from the raw
 * strings. `amount` is positive and already includes `fee` (KuCoin: "the total amount of assets (fees
 * included) involved in assets changes"), so the balance changed by ±amount.
 */
export interface LedgerLine {
  id: string;
  /** Common asset code. */
  asset: string;
  /** KuCoin's own code, as `symbol` spells it. */
  currencyId: string;
  amount: string;
  fee: string;
  direction: 'in' | 'out';
  bizType: string;
  createdAt: number;
  orderId: string | null;
  tradeId: string | null;
  /** The market's exchange id ("BTC-USDT"), for trade lines. */
  symbol: string | null;
  /** A deposit's or withdrawal's chain transaction, without KuCoin's "@…" suffix. */
  txHash: string | null;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** KuCoin writes `context` as JSON, and in some (HF) answers with single quotes. */
function parseContext(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  for (const text of [raw, raw.replace(/'/g, '"')]) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // try the next spelling
    }
  }
  return {};
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function parseLedgerLine(client: Exchange, raw: unknown): LedgerLine {
  const item = (raw ?? {}) as Record<string, unknown>;
  const id = item.id;
  const createdAt = Number(item.createdAt);
  const direction = typeof item.direction === 'string' ? item.direction.toLowerCase() : '';
  const fee = item.fee === undefined || item.fee === null || item.fee === '' ? '0' : item.fee;
  if (
    (typeof id !== 'string' && typeof id !== 'number') ||
    typeof item.currency !== 'string' ||
    typeof item.amount !== 'string' ||
    !DECIMAL.test(item.amount) ||
    typeof fee !== 'string' ||
    !DECIMAL.test(fee) ||
    (direction !== 'in' && direction !== 'out') ||
    !Number.isSafeInteger(createdAt)
  ) {
    throw new MalformedResponseError('The exchange sent an unreadable ledger entry.');
  }
  const context = parseContext(item.context);
  const txId = text(context.txId);
  return {
    id: String(id),
    asset: client.safeCurrencyCode(item.currency) ?? item.currency,
    currencyId: item.currency,
    amount: item.amount,
    fee,
    direction,
    bizType: typeof item.bizType === 'string' ? item.bizType : '',
    createdAt,
    orderId: text(context.orderId),
    tradeId: text(context.tradeId),
    symbol: text(context.symbol),
    txHash: txId ? (txId.split('@')[0] ?? null) || null : null,
  };
}

/** How a line becomes an entry: on its own, or as one side of a trade or convert (two lines, one entry). */
export type LineRole = { paired: 'trade' | 'convert' } | { paired: false; kind: ActivityKind; note?: string };

/** KuCoin's business types, in both spellings it uses ("Exchange", "TRADE_EXCHANGE"), squashed to a key. */
const SINGLE_KINDS: Record<string, ActivityKind> = {
  deposit: 'deposit',
  withdrawal: 'withdrawal',
  withdraw: 'withdrawal',
  transfer: 'transfer',
  subtransfer: 'transfer',
  subaccounttransfer: 'transfer',
  subtosubtransfer: 'transfer',
  brokertransfer: 'transfer',
  assetstransferredinafterupgrading: 'transfer',
  kucoinbonus: 'reward',
  referralbonus: 'reward',
  rewards: 'reward',
  otherrewards: 'reward',
  airdropfork: 'reward',
  distribution: 'reward',
  stakingprofits: 'reward',
  softstakingprofits: 'reward',
  votingearnings: 'reward',
  kcspayfees: 'fee',
  kcsdeductionfees: 'fee',
  deductionfees: 'fee',
  refundedfees: 'fee',
  returnedfees: 'fee',
  kcsreturnedfees: 'fee',
  feerebate: 'fee',
  // Small balances swept into KCS: one line per swept asset under one order, so each stays its own entry.
  converttokcs: 'convert',
};

const PAIRED: Record<string, 'trade' | 'convert'> = {
  exchange: 'trade',
  tradeexchange: 'trade',
  spotexchange: 'trade',
  instantexchange: 'convert',
  convert: 'convert',
};

/** A trade or convert side whose other side KuCoin's ledger did not give (or not with its ids). */
export const LONE_SIDE_NOTE = "Only this side of the exchange appears in KuCoin's ledger.";

export function lineRole(line: LedgerLine): LineRole {
  const key = line.bizType.toLowerCase().replace(/[^a-z]/g, '');
  const paired = PAIRED[key];
  if (paired && (paired === 'convert' ? line.orderId : line.tradeId && line.orderId)) return { paired };
  if (paired) return { paired: false, kind: paired, note: LONE_SIDE_NOTE };
  const kind = SINGLE_KINDS[key];
  if (kind) return { paired: false, kind };
  return {
    paired: false,
    kind: 'other',
    note: `KuCoin ledger type "${line.bizType || 'unnamed'}" is not one Coinsphere knows; kept as the exchange reported it.`,
  };
}
