import type { IncomingHttpHeaders } from 'node:http';

export type SimExchangeId = 'binance' | 'coinbase' | 'kraken' | 'kucoin';

/** amounts are decimal strings */
export interface SimBalance {
  free: string;
  used: string;
}

export interface SimPermissions {
  read: boolean;
  trade: boolean;
  withdraw: boolean;
  transfer: boolean;
  ipRestricted: boolean;
}

export interface SimAccount {
  exchange: SimExchangeId;
  apiKey: string;
  /** Binance/Kraken/KuCoin: the API secret; Coinbase: the PEM (EC) or base64 (Ed25519) private key. */
  secret: string;
  /** KuCoin passphrase. */
  passphrase?: string;
  /**
   * Balances per wallet, per asset. Wallet names are the exchange's own:
   * binance: spot | funding | earn;  kraken: spot (codes as Kraken writes them, e.g. XXBT, ETH.F, DOT.S, USD.HOLD);
   * kucoin: trade | main | trade_hf;  coinbase: spot (Advanced Trade accounts).
   */
  wallets: Record<string, Record<string, SimBalance>>;
  permissions: SimPermissions;
  /** KuCoin: the account was migrated to high-frequency trading. */
  highFrequency?: boolean;
  /**
   * The account's past, exchange-neutral and in common asset codes (BTC, not XXBT); each simulated
   * exchange serves it in its own history endpoints' shapes. See lib/testing/history-seed.ts.
   */
  history?: SimHistoryEvent[];
}

/** One event of a simulated account's past. Amounts are positive decimal strings; times are ms. */
export type SimHistoryEvent =
  | {
      kind: 'trade';
      id: string;
      time: number;
      base: string;
      quote: string;
      side: 'buy' | 'sell';
      /** Base amount. */
      amount: string;
      /** Quote per base. */
      price: string;
      fee: string;
      feeAsset: string;
    }
  | {
      kind: 'deposit';
      id: string;
      time: number;
      asset: string;
      amount: string;
      network?: string;
      txHash?: string;
      status?: 'ok' | 'pending' | 'failed';
    }
  | {
      kind: 'withdrawal';
      id: string;
      time: number;
      asset: string;
      /** What arrived at the destination; `fee` left the balance on top. */
      amount: string;
      fee: string;
      network?: string;
      txHash?: string;
      status?: 'ok' | 'pending' | 'failed';
    }
  | { kind: 'reward'; id: string; time: number; asset: string; amount: string }
  | { kind: 'convert'; id: string; time: number; from: string; fromAmount: string; to: string; toAmount: string };

export type FaultKind =
  | 'auth' // 401 (or the exchange's auth error body)
  | 'forbidden' // 403
  | 'rate_limit' // 429 with Retry-After
  | 'ban' // 418 (Binance) with a ban-until
  | 'server_error' // 500
  | 'bad_gateway' // 502
  | 'unavailable' // 503
  | 'gateway_timeout' // 504
  | 'delay' // answer after `delayMs` (longer than the client's timeout)
  | 'html' // 200 with an HTML body
  | 'truncated' // 200 with truncated JSON
  | 'nonce' // the exchange's invalid-nonce error
  | 'clock_skew'; // the exchange's timestamp-outside-window error

export interface Fault {
  kind: FaultKind;
  /** How many more requests of this key it applies to. */
  remaining: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Only requests whose path contains this text (e.g. "/sapi/v1/asset"), to fail one wallet only. */
  pathIncludes?: string;
}

export interface SimRequest {
  host: string;
  method: string;
  /** Path on the exchange host, starting with "/", without the query. */
  path: string;
  /** The raw query string without "?", exactly as sent (signatures are over it). */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  now: number;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body: unknown;
}

export interface LogEntry {
  exchange: SimExchangeId;
  apiKey: string | null;
  method: string;
  host: string;
  path: string;
  /** true: signature checked and valid; false: refused; null: public endpoint. */
  verified: boolean | null;
  status: number;
  fault?: FaultKind;
  /** The raw query string (which markets a ticker request asked for). */
  query: string;
  at: number;
}

export interface SimContext {
  accounts: Map<string, SimAccount>;
  /** Last ticker prices, by exchange, by unified symbol ("BTC/USDT" → "64000.5"). */
  tickers: Record<SimExchangeId, Record<string, string>>;
  /** Per-exchange scratch state (Kraken's last nonce per key, …). */
  scratch: Record<string, Map<string, unknown>>;
  /** Coinbase accounts page size (small, so pagination is exercised). */
  coinbasePageSize: number;
}

/** What every simulated exchange implements. */
export interface SimExchange {
  id: SimExchangeId;
  hosts: string[];
  /** The API key a request claims, without verifying it (for faults and the log). */
  claimedKey(req: SimRequest): string | null;
  /**
   * Answers a request. `fault` is set when a fault applies to this request: answer with the exchange's
   * real error for it (kinds delay/html/truncated are handled by the server and never passed here).
   * Return `verified` true when a signature was checked and valid, false when refused, null for public.
   */
  handle(req: SimRequest, ctx: SimContext, fault?: Fault): { response: SimResponse; verified: boolean | null };
}
