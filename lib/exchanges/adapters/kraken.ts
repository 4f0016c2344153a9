import 'server-only';
import type { Exchange, kraken as KrakenClient } from 'ccxt';
import { addDecimals, isZero, subtractDecimals, toDecimalString } from '../amounts';
import { assertParsed, MalformedResponseError } from '../malformed';
import type { BalanceRow, KeyPermissions } from '../types';
import type { ExchangeAdapter } from './types';

/**
 * Kraken's BalanceEx lists Earn and staking positions as separate asset codes with a suffix
 * (https://docs.kraken.com/api/docs/rest-api/get-extended-balance, support article "What is
 * Asset.S and Asset.M"). We fold each into its base asset, in the wallet it really sits in:
 * - `.F`  Kraken Rewards / Auto Earn: flexible, earning while still usable → earn
 * - `.B`  balances in the newer yield-bearing (bonded / opt-in) Earn products → earn
 * - `.S`  staked (legacy bonded staking, locked while unbonding) → staked
 * - `.M`  legacy opt-in staking rewards balance → staked
 * - `.P`  parachain / crowdloan allocations, locked like staking → staked
 * - `.HOLD` fiat held by Kraken's banking partner, not tradable → hold
 * Unknown suffixes (e.g. `.T`, tokenised assets) stay as their own code in spot, rather than being
 * mistaken for the base asset.
 */
const WALLET_BY_SUFFIX: Record<string, string> = {
  F: 'earn',
  B: 'earn',
  S: 'staked',
  M: 'staked',
  P: 'staked',
  HOLD: 'hold',
};

/** Bases ccxt does not map: Kraken's ETH2 is staked ETH, redeemable one to one. */
const FOLDED_BASES: Record<string, string> = { ETH2: 'ETH' };

const DECIMAL = /^-?\d+(\.\d+)?$/;

function asKraken(client: Exchange): KrakenClient {
  return client as KrakenClient;
}

/** A Kraken asset code → the common asset and the wallet it belongs to. */
function classifyCode(client: Exchange, code: string): { asset: string; wallet: string } {
  const dot = code.lastIndexOf('.');
  const suffix = dot > 0 ? code.slice(dot + 1).toUpperCase() : '';
  const wallet = WALLET_BY_SUFFIX[suffix];
  if (!wallet) return { asset: commonAsset(client, code), wallet: 'spot' };
  return { asset: commonAsset(client, code.slice(0, dot)), wallet };
}

/** A Kraken asset code as the common asset its balance counts toward (XXBT, XBT.M → BTC; ETH2.S → ETH). */
export function krakenCommonAsset(client: Exchange, code: string): string {
  return classifyCode(client, code).asset;
}

function commonAsset(client: Exchange, krakenCode: string): string {
  // ccxt's kraken.safeCurrencyCode knows XXBT/XBT → BTC, ZUSD → USD … from its tables and the shared Assets list.
  const code = client.safeCurrencyCode(krakenCode) ?? krakenCode;
  return FOLDED_BASES[code] ?? code;
}

function amountField(entry: unknown, field: string, code: string, required: boolean): string {
  const value = (entry as Record<string, unknown> | null)?.[field];
  if (value === undefined && !required) return '0';
  const text = typeof value === 'number' ? value.toString() : value;
  if (typeof text !== 'string' || !DECIMAL.test(text)) {
    throw new MalformedResponseError(`Kraken sent an unreadable ${field} for ${code}.`);
  }
  return toDecimalString(text);
}

/** BalanceEx → rows, summed per asset and wallet (XXBT and XBT.F both count as BTC). */
function rowsFromBalanceEx(client: Exchange, response: unknown): BalanceRow[] {
  assertParsed(response, 'the Kraken balance');
  const result = (response as { result?: unknown }).result;
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw new MalformedResponseError('Kraken sent a balance answer without a result.');
  }
  const sums = new Map<string, { asset: string; wallet: string; total: string; used: string }>();
  for (const [code, entry] of Object.entries(result)) {
    const total = amountField(entry, 'balance', code, true);
    const used = amountField(entry, 'hold_trade', code, false);
    const { asset, wallet } = classifyCode(client, code);
    const key = `${wallet}\u0000${asset}`;
    const sum = sums.get(key) ?? { asset, wallet, total: '0', used: '0' };
    sum.total = addDecimals(sum.total, total);
    sum.used = addDecimals(sum.used, used);
    sums.set(key, sum);
  }
  const rows: BalanceRow[] = [];
  for (const { asset, wallet, total, used } of sums.values()) {
    if (isZero(total) && isZero(used)) continue;
    const free = subtractDecimals(total, used);
    rows.push({ asset, wallet, free, used, total });
  }
  return rows;
}

const TRADE_PERMISSIONS = ['modify-trades', 'close-trades'];

export const krakenAdapter: ExchangeAdapter = {
  id: 'kraken',
  // Markets come from the shared keyless load (Assets + AssetPairs), so a sync is BalanceEx alone.
  // Kraken's nonce only has to increase, so no clock sync (it would add a Time call to every load).
  options: { adjustForTimeDifference: false },

  async fetchBalances(client) {
    // Raw BalanceEx, not fetchBalance: ccxt's parsed balance turns amounts into floats and keeps
    // suffixed codes (BTC.F, DOT.S) as separate currencies.
    const response: unknown = await asKraken(client).privatePostBalanceEx();
    return { rows: rowsFromBalanceEx(client, response), warnings: [] };
  },

  async probePermissions(client): Promise<KeyPermissions> {
    const response: unknown = await asKraken(client).privatePostGetApiKeyInfo();
    assertParsed(response, 'the Kraken API key information');
    const info = (response as { result?: { permissions?: unknown; ipAllowlist?: unknown } }).result;
    if (!info || !Array.isArray(info.permissions)) {
      throw new MalformedResponseError('Kraken sent API key information without permissions.');
    }
    const granted = new Set(info.permissions.filter((p): p is string => typeof p === 'string'));
    return {
      read: granted.has('query-funds'),
      trade: TRADE_PERMISSIONS.some((p) => granted.has(p)),
      withdraw: granted.has('withdraw-funds'),
      // Earn allocation moves funds between spot and Earn. Kraken's WalletTransfer also needs
      // withdraw-funds, which already shows as `withdraw` (and is refused at connect).
      transfer: granted.has('earn-funds'),
      ipRestricted: Array.isArray(info.ipAllowlist) && info.ipAllowlist.length > 0,
    };
  },
};
