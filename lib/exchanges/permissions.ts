import 'server-only';
import { adapters } from './adapters';
import { withExchangeClient } from './client';
import type { ExchangeConnection, PermissionProbe } from './types';

/**
 * What the key may do: read, trade, withdraw, transfer, and whether it is IP-restricted. `unknown`
 * for exchanges without a permission endpoint we support. The connect flow refuses keys that can
 * withdraw and warns about keys that can trade.
 */
export async function probePermissions(connection: ExchangeConnection): Promise<PermissionProbe> {
  const adapter = adapters[connection.exchangeId];
  if (!adapter) return 'unknown';
  return withExchangeClient(
    connection.exchangeId,
    connection.credentials,
    { sandbox: connection.sandbox, purpose: 'permissions' },
    (client) => adapter.probePermissions(client),
  );
}
