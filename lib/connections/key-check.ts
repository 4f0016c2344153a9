import 'server-only';
import { findExchange, type ExchangeCatalogEntry } from '@/lib/exchanges/catalog';
import { normalizeCredentialInput } from '@/lib/exchanges/credential-input';
import { fetchBalances } from '@/lib/exchanges/balances';
import { classifyExchangeError } from '@/lib/exchanges/errors';
import { probePermissions } from '@/lib/exchanges/permissions';
import type { BalanceResult, KeyPermissions } from '@/lib/exchanges/types';
import { exchangeCredentialsSchema, secretValues, type ExchangeCredentials } from '@/lib/vault/credentials';
import { failure, INVALID_INPUT_MESSAGE, type Failure, type Result } from './result';

/** A key that was read with and probed once; what connect and update store and apply. */
export interface CheckedKey {
  exchange: ExchangeCatalogEntry;
  credentials: ExchangeCredentials;
  balances: BalanceResult;
  /** null when the exchange has no permission endpoint we support. */
  permissions: KeyPermissions | null;
  /** The balance read's warnings, plus what the user should know about the key. */
  warnings: string[];
}

export const ACKNOWLEDGE_FIELD = 'acknowledgeTradingPermission';

/** How to make a read-only key is under the API key field already (the catalog's help): not repeated here. */
export function withdrawRefusal(): string {
  return (
    'This API key can withdraw funds, so Coinsphere will not store it. Create a new key that can only read ' +
    'balances (no withdrawals, no trading, no transfers) and paste that one instead.'
  );
}

export function tradingWarning(permissions: KeyPermissions): string {
  const can = [permissions.trade && 'trade', permissions.transfer && 'move funds between accounts'].filter(Boolean);
  return (
    `This API key can ${can.join(' and ')}. Coinsphere only reads balances, but anyone who obtained the key could ` +
    'use it. A read-only key is safer.'
  );
}

export const UNKNOWN_PERMISSIONS_WARNING =
  'Coinsphere cannot check what this API key is allowed to do on this exchange. Make sure it is read-only.';

/**
 * Same-key check result, worded once for test, connect and update. The key is checked before the
 * exchange is asked, so a wrong secret for a connected key lands here too: a new secret for it
 * belongs in that connection's Update keys, which the form links to.
 */
export function duplicateKeyFailure(existing: { connectionId: string; label: string } | null): Failure {
  if (!existing) return failure('This API key is already connected.');
  return {
    ok: false,
    message: `This API key is already connected as “${existing.label}”. A new secret for it goes in that connection’s Update keys.`,
    existingConnection: { id: existing.connectionId, label: existing.label },
  };
}

export function canTradeOrTransfer(permissions: KeyPermissions | null): permissions is KeyPermissions {
  return permissions !== null && (permissions.trade || permissions.transfer);
}

/** Field errors of normalizeCredentialInput, keyed as the form names them (`credentials.apiKey`). */
function credentialFieldErrors(fieldErrors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fieldErrors).map(([name, message]) => [
      name === 'exchangeId' ? name : `credentials.${name}`,
      message,
    ]),
  );
}

/**
 * The exchange and the cleaned credential set of a form, before any network call: unknown exchange,
 * a sandbox it does not have and every field mistake come back as field errors.
 */
export function prepareCredentials(
  exchangeId: string,
  fields: Record<string, string>,
  sandbox: boolean,
): Result<{ exchange: ExchangeCatalogEntry; credentials: ExchangeCredentials }> {
  const exchange = findExchange(exchangeId);
  if (!exchange) return failure(INVALID_INPUT_MESSAGE, { exchangeId: 'Exchange is not one we know.' });
  if (sandbox && !exchange.sandbox) {
    return failure(INVALID_INPUT_MESSAGE, { sandbox: `${exchange.name} has no sandbox (test network) to connect to.` });
  }
  const normalized = normalizeCredentialInput(exchangeId, fields);
  if (!normalized.ok) return failure(INVALID_INPUT_MESSAGE, credentialFieldErrors(normalized.fieldErrors));
  const parsed = exchangeCredentialsSchema.safeParse(normalized.credentials);
  if (!parsed.success) return failure(`Coinsphere cannot store ${exchange.name} credentials yet.`);
  return { ok: true, exchange, credentials: parsed.data };
}

/** The exchange's refusal in a form's words, on the field it is about when the exchange said which. */
function exchangeFailure(error: unknown, exchange: ExchangeCatalogEntry, credentials: ExchangeCredentials): Failure {
  const info = classifyExchangeError(error, secretValues(credentials));
  const field = info.field;
  if (!field || !exchange.credentialFields.includes(field.name)) return failure(info.formMessage);
  return {
    ok: false,
    message: info.formMessage,
    refusedField: { path: `credentials.${field.name}`, message: field.message },
  };
}

/**
 * Probes the key's permissions, then reads its balances: one probe and one balance read, nothing
 * stored. The probe goes first so a key that can withdraw is refused before it is used for anything
 * else. A key that can trade passes only with the user's acknowledgement, unless `allowTrading`
 * (the test button reports it instead of refusing).
 */
export async function checkKey(input: {
  exchange: ExchangeCatalogEntry;
  credentials: ExchangeCredentials;
  sandbox: boolean;
  acknowledgeTradingPermission?: boolean;
  allowTrading?: boolean;
}): Promise<Result<{ key: CheckedKey }>> {
  const { exchange, credentials, sandbox } = input;
  const connection = { exchangeId: exchange.id, credentials, sandbox };

  let probed: KeyPermissions | 'unknown';
  try {
    probed = await probePermissions(connection);
  } catch (error) {
    return exchangeFailure(error, exchange, credentials);
  }
  const permissions = probed === 'unknown' ? null : probed;
  if (permissions?.withdraw) return failure(withdrawRefusal());
  if (canTradeOrTransfer(permissions) && !input.allowTrading && !input.acknowledgeTradingPermission) {
    const warning = tradingWarning(permissions);
    return failure(warning, { [ACKNOWLEDGE_FIELD]: 'Confirm that you want to connect a key that can trade.' });
  }

  let balances: BalanceResult;
  try {
    balances = await fetchBalances(connection);
  } catch (error) {
    return exchangeFailure(error, exchange, credentials);
  }

  const warnings = [...balances.warnings];
  if (permissions === null) warnings.push(UNKNOWN_PERMISSIONS_WARNING);
  else if (canTradeOrTransfer(permissions)) warnings.push(tradingWarning(permissions));
  return { ok: true, key: { exchange, credentials, balances, permissions, warnings } };
}

/** How many distinct assets, and which wallets, a balance read returned. */
export function summarizeBalances(balances: BalanceResult): { assets: number; wallets: string[] } {
  return {
    assets: new Set(balances.rows.map((row) => row.asset)).size,
    wallets: [...new Set(balances.rows.map((row) => row.wallet))].sort(),
  };
}
