import type { Exchange } from 'ccxt';
import type { BalanceResult, KeyPermissions } from '../types';

/**
 * What a verified exchange (tested against the simulator) adds on top of ccxt's generic balance
 * read: its extra wallets, its permission endpoint, and the options that keep a sync to one or two
 * requests.
 */
export interface ExchangeAdapter {
  id: 'binance' | 'coinbase' | 'kraken' | 'kucoin';
  /** ccxt constructor options for this exchange (merged into the client's options). */
  options?: Record<string, unknown>;
  /**
   * Every wallet. The spot read must throw on failure (and on a malformed 200 answer); an optional
   * wallet that fails adds a warning instead.
   */
  fetchBalances(client: Exchange): Promise<BalanceResult>;
  probePermissions(client: Exchange): Promise<KeyPermissions>;
}
