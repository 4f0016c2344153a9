import 'server-only';
import type { KeyPermissions } from '@/lib/exchanges/types';
import { takeConnectionCheck } from '@/lib/limits/user-limits';
import { findConnectionWithKey } from '@/lib/vault/store';
import { canTradeOrTransfer, checkKey, duplicateKeyMessage, prepareCredentials, summarizeBalances } from './key-check';
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
  if (existing) return failure(duplicateKeyMessage(existing.label));

  const refused = await takeConnectionCheck(userId, prepared.exchange);
  if (refused) return failure(refused);

  const checked = await checkKey({ ...prepared, sandbox, allowTrading: true });
  if (!checked.ok) return checked;
  const { key } = checked;
  const report: ConnectionTestReport = {
    ...summarizeBalances(key.balances),
    warnings: key.warnings,
    permissions: key.permissions,
    needsTradingAcknowledgement: canTradeOrTransfer(key.permissions),
  };
  return { ok: true, report };
}
