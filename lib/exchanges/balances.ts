import 'server-only';
import type { Exchange } from 'ccxt';
import { adapters } from './adapters';
import { withExchangeClient } from './client';
import type { BalanceResult, ExchangeConnection } from './types';
import { rowsFromCcxtBalance } from './wallets';

/** For exchanges without an adapter: ccxt's default balance, as the spot wallet. */
async function genericBalances(client: Exchange): Promise<BalanceResult> {
  return { rows: rowsFromCcxtBalance(await client.fetchBalance(), 'spot'), warnings: [] };
}

/**
 * Every holding of one connection, in every wallet the exchange exposes. Spot failures throw;
 * optional wallets that fail come back as warnings.
 */
export async function fetchBalances(connection: ExchangeConnection): Promise<BalanceResult> {
  const adapter = adapters[connection.exchangeId];
  return withExchangeClient(
    connection.exchangeId,
    connection.credentials,
    { sandbox: connection.sandbox, purpose: 'balances' },
    (client) => (adapter ? adapter.fetchBalances(client) : genericBalances(client)),
  );
}
