import { fetchAllAccounts, SPOT_ACCOUNT_TYPES } from '../adapters/coinbase';
import { FILLS_STREAM, fetchFillsPage } from './coinbase/fills';
import { fetchTransactionsPage, TRANSACTIONS_STREAM_PREFIX } from './coinbase/transactions';
import type { HistoryStrategy } from './types';

/**
 * Coinbase: trades from the Advanced Trade fills (one stream, every product), everything else from
 * each spot wallet's v2 transactions (a stream per wallet, named by its uuid, which is no secret).
 * The wallets are the paginated v3 accounts the balance sync reads, listed again on every run so a
 * new wallet gets its stream; only crypto and fiat wallets, whose balances are synced.
 *
 * Not `completeHistory`: Coinbase keeps both for the account's whole life, but fills of market buys
 * sized in quote currency give no coin amount (it is calculated), and staking and vault accounts are
 * not read, so a difference against the balance is shown as partial, not as an error.
 */
export const coinbaseHistory: HistoryStrategy = {
  exchangeId: 'coinbase',
  verified: true,
  completeHistory: false,
  limits: [
    'Coinbase keeps your whole history: trades come from Advanced Trade fills, deposits, withdrawals, rewards, converts and transfers from each wallet’s transactions.',
    'Market buys that Coinbase reports in the quote currency only get a calculated coin amount (cost ÷ price), which can differ from what Coinbase credited in the last digit.',
    'Staking, vault and other non-spot Coinbase accounts are not imported, as their balances are not synced either.',
    'A convert is shown as two entries, one per wallet; a bank withdrawal’s fee is included in its amount.',
  ],

  async streams(client) {
    const accounts = await fetchAllAccounts(client);
    const wallets = accounts
      .filter((account) => typeof account.type === 'string' && SPOT_ACCOUNT_TYPES.has(account.type))
      .map((account) => account.uuid)
      .filter((uuid): uuid is string => typeof uuid === 'string' && uuid !== '');
    return [FILLS_STREAM, ...wallets.map((uuid) => `${TRANSACTIONS_STREAM_PREFIX}${uuid}`)];
  },

  async fetchPage(client, request) {
    if (request.stream === FILLS_STREAM) return fetchFillsPage(client, request);
    if (request.stream.startsWith(TRANSACTIONS_STREAM_PREFIX)) {
      return fetchTransactionsPage(client, request.stream.slice(TRANSACTIONS_STREAM_PREFIX.length), request);
    }
    throw new Error(`Coinbase has no history stream "${request.stream}".`);
  },
};
