import type { ExchangeCredentials } from '@/lib/vault/credentials';

/** One holding in one wallet. Amounts are decimal strings, never floats. */
export interface BalanceRow {
  asset: string;
  /** spot | funding | earn | staked | hold | main | trade | margin | futures … */
  wallet: string;
  free: string;
  used: string;
  total: string;
}

export interface BalanceResult {
  rows: BalanceRow[];
  /** Optional wallets that could not be read, in the user's words ("Earn balances could not be read."). */
  warnings: string[];
  /**
   * The wallets (as in `BalanceRow.wallet`) of those warnings: what was stored for them is kept as it
   * is, since a wallet that could not be read is not an empty one.
   */
  unreadWallets?: string[];
}

export interface KeyPermissions {
  read: boolean;
  trade: boolean;
  withdraw: boolean;
  transfer: boolean;
  ipRestricted: boolean;
}

export type PermissionProbe = KeyPermissions | 'unknown';

/** What the exchange layer needs to talk to one account. Built server-side from a decrypted connection. */
export interface ExchangeConnection {
  exchangeId: string;
  credentials: ExchangeCredentials;
  sandbox?: boolean;
}
