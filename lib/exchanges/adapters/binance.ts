import 'server-only';
import type { Exchange } from 'ccxt';
import { addDecimals, isZero } from '../amounts';
import { assertParsed, MalformedResponseError } from '../malformed';
import type { BalanceRow, KeyPermissions } from '../types';
import { optionalWallet, type WalletFailures } from '../wallets';
import type { ExchangeAdapter } from './types';

export const FUNDING_WARNING = 'Funding wallet balances could not be read.';
export const EARN_WARNING = 'Earn balances could not be read.';

/** Binance's implicit REST methods this adapter calls (ccxt types only the unified ones on Exchange). */
interface BinanceApi {
  sapiGetSimpleEarnFlexiblePosition(params?: object): Promise<unknown>;
  sapiGetSimpleEarnLockedPosition(params?: object): Promise<unknown>;
  sapiGetAccountApiRestrictions(params?: object): Promise<unknown>;
}

function api(client: Exchange): BinanceApi {
  return client as unknown as BinanceApi;
}

type RawRecord = Record<string, unknown>;

function records(value: unknown, what: string): RawRecord[] {
  if (!Array.isArray(value)) throw new MalformedResponseError(`The exchange sent an unreadable answer for ${what}.`);
  return value.filter((entry): entry is RawRecord => entry !== null && typeof entry === 'object');
}

/** Adds one amount per asset, keeping the strings exact. */
class AssetTotals {
  private readonly byAsset = new Map<string, { free: string; used: string }>();

  add(asset: string, free: unknown, used: unknown) {
    const current = this.byAsset.get(asset) ?? { free: '0', used: '0' };
    this.byAsset.set(asset, { free: addDecimals(current.free, free), used: addDecimals(current.used, used) });
  }

  rows(wallet: string): BalanceRow[] {
    const rows: BalanceRow[] = [];
    for (const [asset, { free, used }] of this.byAsset) {
      const total = addDecimals(free, used);
      if (!isZero(total)) rows.push({ asset, wallet, free, used, total });
    }
    return rows;
  }
}

function assetCode(client: Exchange, entry: RawRecord): string | undefined {
  return typeof entry.asset === 'string' && entry.asset ? client.safeCurrencyCode(entry.asset) : undefined;
}

/**
 * Spot through ccxt's fetchBalance (its error mapping, its request), amounts from the raw strings in
 * `info` rather than ccxt's floats. omitZeroBalances spares the few hundred zero rows Binance lists.
 */
async function readSpot(client: Exchange): Promise<BalanceRow[]> {
  const balance = await client.fetchBalance({ type: 'spot', omitZeroBalances: true });
  assertParsed(balance.info, 'the spot balance');
  const totals = new AssetTotals();
  for (const entry of records((balance.info as RawRecord).balances, 'the spot balance')) {
    const asset = assetCode(client, entry);
    if (asset) totals.add(asset, entry.free, entry.locked);
  }
  return totals.rows('spot');
}

/** Funding wallet: what is frozen, locked or being withdrawn counts as used, as ccxt counts it. */
async function readFunding(client: Exchange): Promise<BalanceRow[]> {
  const balance = await client.fetchBalance({ type: 'funding' });
  assertParsed(balance.info, 'the funding wallet');
  const totals = new AssetTotals();
  for (const entry of records(balance.info, 'the funding wallet')) {
    const asset = assetCode(client, entry);
    if (asset) totals.add(asset, entry.free, addDecimals(entry.locked, entry.freeze, entry.withdrawing));
  }
  return totals.rows('funding');
}

const EARN_PAGE_SIZE = 100;
/** 2,000 positions per product type; more would be an account we do not expect to meet. */
const EARN_MAX_PAGES = 20;

async function allPositions(read: (params: object) => Promise<unknown>, what: string): Promise<RawRecord[]> {
  const positions: RawRecord[] = [];
  for (let current = 1; current <= EARN_MAX_PAGES; current++) {
    const response = await read({ current, size: EARN_PAGE_SIZE });
    assertParsed(response, what);
    const rows = records((response as RawRecord).rows, what);
    positions.push(...rows);
    const total = Number((response as RawRecord).total);
    if (rows.length < EARN_PAGE_SIZE || !Number.isFinite(total) || positions.length >= total) return positions;
  }
  throw new MalformedResponseError(`More than ${EARN_MAX_PAGES} pages of ${what}.`);
}

/**
 * Simple Earn, all or nothing: flexible positions are redeemable at once (free), locked ones are not
 * (used). Half an earn wallet would read as a withdrawal.
 */
async function readEarn(client: Exchange): Promise<BalanceRow[]> {
  const flexible = await allPositions(
    (params) => api(client).sapiGetSimpleEarnFlexiblePosition(params),
    'flexible earn positions',
  );
  const locked = await allPositions(
    (params) => api(client).sapiGetSimpleEarnLockedPosition(params),
    'locked earn positions',
  );
  const totals = new AssetTotals();
  for (const entry of flexible) {
    const asset = assetCode(client, entry);
    if (asset) totals.add(asset, entry.totalAmount, '0');
  }
  for (const entry of locked) {
    const asset = assetCode(client, entry);
    if (asset) totals.add(asset, '0', entry.amount);
  }
  return totals.rows('earn');
}

/**
 * Binance shows flexible Simple Earn holdings in the spot account too, as "LD<asset>" receipts.
 * When the earn wallet was read they are counted there, so the receipts would count them twice.
 * (Assets that merely start with LD, like LDO, have no earn position named after the rest.)
 */
function withoutEarnReceipts(spot: BalanceRow[], earn: BalanceRow[]): BalanceRow[] {
  const flexible = new Set(earn.filter((row) => !isZero(row.free)).map((row) => row.asset));
  return spot.filter((row) => !(row.asset.startsWith('LD') && flexible.has(row.asset.slice(2))));
}

const TRADING_FLAGS = [
  'enableSpotAndMarginTrading',
  'enableMargin',
  'enableFutures',
  'enableVanillaOptions',
  'enablePortfolioMarginTrading',
  'enableFixApiTrade',
] as const;

export const binanceAdapter: ExchangeAdapter = {
  id: 'binance',
  // Currencies come from the shared markets, derivatives are not read, margin pairs are not needed:
  // the shared keyless load is one request (spot exchangeInfo) and a sync's spot read is one more.
  options: {
    fetchCurrencies: false,
    fetchMargins: false,
    fetchMarkets: { types: ['spot'] },
  },

  async fetchBalances(client) {
    const spot = await readSpot(client);
    const optional: BalanceRow[] = [];
    const failures: WalletFailures = { warnings: [], unreadWallets: [] };
    await optionalWallet(optional, failures, 'funding', FUNDING_WARNING, () => readFunding(client));
    const earn: BalanceRow[] = [];
    await optionalWallet(earn, failures, 'earn', EARN_WARNING, () => readEarn(client));
    return { rows: [...withoutEarnReceipts(spot, earn), ...optional, ...earn], ...failures };
  },

  async probePermissions(client): Promise<KeyPermissions> {
    const response = await api(client).sapiGetAccountApiRestrictions();
    assertParsed(response, 'the API key restrictions');
    const flags = response as RawRecord;
    const on = (name: string) => flags[name] === true;
    return {
      read: on('enableReading'),
      trade: TRADING_FLAGS.some(on),
      withdraw: on('enableWithdrawals'),
      transfer: on('enableInternalTransfer') || on('permitsUniversalTransfer'),
      ipRestricted: on('ipRestrict'),
    };
  },
};
