import 'server-only';
import type { KeyPermissions } from '@/lib/exchanges/types';
import { takeConnectionCheck } from '@/lib/limits/user-limits';
import { findConnectionWithKey } from '@/lib/vault/store';
import {
  canTradeOrTransfer,
  checkKey,
  duplicateKeyFailure,
  prepareCredentials,
  summarizeBalances,
  tradingWarning,
} from './key-check';
import { failure, type Result } from './result';
import type { TestConnection } from './schemas';

export interface ConnectionTestReport {
  /** Distinct assets the key can see. */
  assets: number;
  /** Wallets that held something (spot, funding, earn…). */
  wallets: string[];
  warnings: string[];
  /** null when the exchange cannot tell us. */
  permissions: KeyPermissions | null;
  /** Connecting this key will need the user's explicit acknowledgement. */
  needsTradingAcknowledgement: boolean;
}

/**
 * The connect form's "Test" button: reads the balances and probes the key exactly as connecting would,
 * and says what it found or, in plain English, what went wrong. Nothing is saved.
 */
export async function testConnection(
  userId: string,
  input: TestConnection,
): Promise<Result<{ report: ConnectionTestReport }>> {
  const sandbox = input.sandbox ?? false;
  const prepared = prepareCredentials(input.exchangeId, input.credentials, sandbox);
  if (!prepared.ok) return prepared;

  const existing = await findConnectionWithKey(userId, prepared.exchange.id, prepared.credentials.apiKey);
  if (existing) return duplicateKeyFailure(existing);

  const refused = await takeConnectionCheck(userId, prepared.exchange);
  if (refused) return failure(refused);

  const checked = await checkKey({ ...prepared, sandbox, allowTrading: true });
  if (!checked.ok) return checked;
  const { key } = checked;
  const { permissions } = key;
  const needsTradingAcknowledgement = canTradeOrTransfer(permissions);
  // A key that can trade gets the form's "I understand" box, which explains it: not a second time here.
  const tradingWords = needsTradingAcknowledgement ? tradingWarning(permissions) : null;
  const report: ConnectionTestReport = {
    ...summarizeBalances(key.balances),
    warnings: key.warnings.filter((warning) => warning !== tradingWords),
    permissions,
    needsTradingAcknowledgement,
  };
  return { ok: true, report };
}
