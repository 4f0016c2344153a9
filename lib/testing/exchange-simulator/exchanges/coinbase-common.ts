import { createHash } from 'node:crypto';
import type { SimAccount, SimHistoryEvent, SimResponse } from '../types';

/** What the Coinbase simulator's balance and history endpoints share: ids, wallets and error bodies. */

export const FIAT = new Set(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY', 'SGD']);

/** Error bodies as Coinbase's v3 API sends them (ccxt maps them by `error` / `errors[0].id`). */
export function errorBody(
  status: number,
  error: string,
  message: string,
  headers?: Record<string, string>,
): SimResponse {
  return { status, headers, body: { error, error_details: message, message } };
}

/** Error bodies as Coinbase's v2 API sends them. */
export function v2Error(status: number, id: string, message: string): SimResponse {
  return { status, body: { errors: [{ id, message }] } };
}

export const currencyOf = (walletKey: string) => walletKey.split('#')[0] ?? walletKey;

export function fakeUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The uuid of one of an account's wallets: the same in v3 accounts and v2 transaction paths. */
export const accountUuid = (account: SimAccount, walletKey: string) => fakeUuid(`${account.apiKey}:${walletKey}`);

/** Every currency an event moves (a trade: base and quote). */
export function currenciesOf(event: SimHistoryEvent): string[] {
  switch (event.kind) {
    case 'trade':
      return [event.base, event.quote];
    case 'convert':
      return [event.from, event.to];
    default:
      return [event.asset];
  }
}

/**
 * The account's wallets: the seeded ones, plus an empty default wallet for every currency its history
 * touched (Coinbase keeps a wallet once used, even at zero, with its transactions).
 */
export function walletKeysOf(account: SimAccount): string[] {
  const keys = Object.keys(account.wallets.spot ?? {});
  const seeded = new Set(keys);
  const used = new Set((account.history ?? []).flatMap(currenciesOf));
  return [...keys, ...[...used].filter((code) => !seeded.has(code)).sort()];
}
