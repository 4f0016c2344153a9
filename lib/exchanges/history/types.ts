import type { Exchange } from 'ccxt';
import type { ActivityKind, ActivityStatus } from '@/db/schema';

/**
 * One normalised history event, as a strategy reads it from the exchange (stored as an
 * `activity_entries` row by lib/history). Amounts are exact decimal strings, signed as the balance
 * changed: `amount` of `asset` and `counterAmount` of `counterAsset` without the fee; `feeAmount` is
 * positive and left `feeAsset`'s balance on top. A trade is one entry (asset = base, counter = quote);
 * a withdrawal's amount is negative. Never a secret, never the raw response.
 */
export interface ActivityEntry {
  kind: ActivityKind;
  /** The exchange's own id: unique per connection and kind (a re-import never duplicates). */
  externalId: string;
  occurredAt: Date;
  asset: string;
  amount: string;
  counterAsset?: string | null;
  counterAmount?: string | null;
  /** Counter asset per unit of asset, for trades. */
  price?: string | null;
  feeAsset?: string | null;
  feeAmount?: string | null;
  status: ActivityStatus;
  network?: string | null;
  txHash?: string | null;
  /** Why the entry is kind 'other' (an exchange type the normaliser does not know), in the user's words. */
  note?: string | null;
}

/** A strategy's position in one stream: plain JSON it alone reads (offsets, times, ids — never a secret). */
export type StreamCursor = Record<string, string | number | boolean | null>;

export type ImportMode = 'backfill' | 'incremental';

export interface HistoryPageRequest {
  /** The stream's name, as listed by `streams` or discovered ('ledger', 'trades:BTC/USDT', 'deposits' …). */
  stream: string;
  /** null: the stream has never been read. */
  cursor: StreamCursor | null;
  /**
   * backfill: go further into the past from the cursor, until the exchange has nothing older (or its
   * window ends). incremental: read what is newer than the newest entry seen, as few requests as possible.
   */
  mode: ImportMode;
  now: Date;
}

export interface HistoryPage {
  entries: ActivityEntry[];
  /** Stored with this page's entries, in one transaction; the next request starts from it. */
  cursor: StreamCursor;
  /** backfill: nothing older is available; incremental: caught up with now. */
  done: boolean;
  /** The oldest time this stream now covers (for "back to March 2024" and reconciliation). */
  coveredFrom?: Date | null;
  /** New streams to import (Binance: a market seen in deposits, converts or balances). */
  discoveredStreams?: string[];
}

export interface StreamsRequest {
  /** Every asset ever held (balances and history so far): Binance derives its markets to read from them. */
  assets: string[];
  now: Date;
}

/**
 * How one exchange's account history is imported. Each page is one or a few requests; the engine
 * (lib/history) stores each page with its cursor in one transaction and runs pages as durable steps.
 */
export interface HistoryStrategy {
  exchangeId: string;
  /** Tested end to end against the simulator (the four verified exchanges); others are best effort. */
  verified: boolean;
  /** The history covers every balance change of the account's whole life (Kraken's ledger). */
  completeHistory: boolean;
  /** What the exchange does not provide, in the user's words ("Binance keeps deposit history for …"). */
  limits: string[];
  /** The streams to import for this account. */
  streams(client: Exchange, request: StreamsRequest): Promise<string[]>;
  /** One page of one stream. Throws ccxt's errors as they are (the engine classifies and backs off). */
  fetchPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage>;
  /** Whether a stream name the user typed is one this strategy can read (Binance: a market symbol). */
  acceptsManualStream?(stream: string): boolean;
}
