import 'server-only';
import type { Exchange } from 'ccxt';
import { addDecimals, isZero } from '../amounts';
import { assertParsed, MalformedResponseError } from '../malformed';
import type { BalanceRow, KeyPermissions } from '../types';
import { optionalWallet, type WalletFailures } from '../wallets';
import type { ExchangeAdapter } from './types';

/** The raw KuCoin endpoints we call through ccxt's implicit API (signing, throttling and error mapping stay ccxt's). */
interface KucoinEndpoints {
  privateGetHfAccountsOpened(): Promise<unknown>;
  privateGetAccounts(params: { type: string }): Promise<unknown>;
  privateGetUserApiKey(): Promise<unknown>;
}

type KucoinClient = Exchange & KucoinEndpoints;

const asKucoin = (client: Exchange) => client as KucoinClient;

export const MAIN_WALLET_WARNING = 'Main account balances could not be read.';

/** The `data` of KuCoin's `{"code":"200000","data":…}` envelope, refusing anything that is not one. */
function envelopeData(response: unknown, what: string): unknown {
  assertParsed(response, what);
  if (!('data' in (response as object))) throw new MalformedResponseError(`The exchange sent no data for ${what}.`);
  return (response as { data: unknown }).data;
}

/**
 * Whether the account was migrated to high-frequency trading, whose trading balance lives in
 * `trade_hf` while `trade` reads empty. ccxt only asks inside a keyed loadMarkets, which shared
 * markets skip, and it reads an unreadable answer as "not migrated"; both would show an HF user
 * an empty account, so we ask ourselves and insist on a real boolean.
 */
export async function isHighFrequency(client: Exchange): Promise<boolean> {
  const migrated = envelopeData(await asKucoin(client).privateGetHfAccountsOpened(), 'the account type');
  if (typeof migrated !== 'boolean') throw new MalformedResponseError('The exchange sent an unreadable account type.');
  client.options['hf'] = migrated;
  return migrated;
}

interface KucoinAccountRow {
  currency?: unknown;
  type?: unknown;
  balance?: unknown;
  available?: unknown;
  holds?: unknown;
}

/**
 * One KuCoin account type (`trade`, `trade_hf`, `main`) as rows, straight from the exchange's
 * decimal strings: free = available, used = holds, total = balance.
 */
async function readAccounts(client: KucoinClient, type: string, wallet: string): Promise<BalanceRow[]> {
  const data = envelopeData(await client.privateGetAccounts({ type }), `the ${wallet} balance`);
  if (!Array.isArray(data)) throw new MalformedResponseError(`The exchange sent an unreadable ${wallet} balance.`);
  const byAsset = new Map<string, BalanceRow>();
  for (const row of data as KucoinAccountRow[]) {
    // Like ccxt: a row of another account type is not part of this wallet.
    if (!row || row.type !== type || typeof row.currency !== 'string') continue;
    const asset = client.safeCurrencyCode(row.currency) ?? row.currency;
    const previous = byAsset.get(asset);
    byAsset.set(asset, {
      asset,
      wallet,
      free: addDecimals(previous?.free, row.available),
      used: addDecimals(previous?.used, row.holds),
      total: addDecimals(previous?.total, row.balance),
    });
  }
  return [...byAsset.values()].filter((row) => !(isZero(row.total) && isZero(row.free) && isZero(row.used)));
}

function permissionNames(info: unknown): Set<string> {
  const permission = (info as { permission?: unknown } | null)?.permission;
  if (typeof permission !== 'string') throw new MalformedResponseError('The exchange sent unreadable key permissions.');
  return new Set(
    permission
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
}

/**
 * KuCoin, verified against the simulator. A sync is three signed requests: the HF status and the
 * main wallet in parallel, then the trading wallet (`trade` or `trade_hf`). Markets come from the
 * shared keyless load (currencies + spot symbols, once per process).
 */
export const kucoinAdapter: ExchangeAdapter = {
  id: 'kucoin',
  options: {
    // Classic accounts only: otherwise every unified call first asks /api/ua/v1/account/mode.
    uta: false,
    // Balances need currencies, not contracts or fee tiers: two public requests instead of four.
    fetchMarkets: { types: ['spot'], fetchTickersFees: false },
  },

  async fetchBalances(client) {
    const kucoin = asKucoin(client);
    // Started first so the throttle sends it first; the main wallet goes out while it is answered.
    const highFrequency = isHighFrequency(kucoin);
    const mainRows: BalanceRow[] = [];
    const failures: WalletFailures = { warnings: [], unreadWallets: [] };
    const main = optionalWallet(mainRows, failures, 'main', MAIN_WALLET_WARNING, () =>
      readAccounts(kucoin, 'main', 'main'),
    );
    const tradeRows = await readAccounts(kucoin, (await highFrequency) ? 'trade_hf' : 'trade', 'trade');
    await main;
    return { rows: [...tradeRows, ...mainRows], ...failures };
  },

  async probePermissions(client): Promise<KeyPermissions> {
    const info = envelopeData(await asKucoin(client).privateGetUserApiKey(), 'the key permissions');
    const names = permissionNames(info);
    const has = (...candidates: string[]) => candidates.some((name) => names.has(name));
    const ipWhitelist = (info as { ipWhitelist?: unknown }).ipWhitelist;
    return {
      read: has('General'),
      // Earn subscribes and redeems: a write permission, so it is reported with trading.
      trade: has('Spot', 'Margin', 'Futures', 'Earn', 'Trade'),
      // KuCoin's "Transfer" permission is the one that withdraws ("including deposit and withdrawal").
      withdraw: has('Transfer', 'Withdrawal', 'Withdraw'),
      transfer: has('Transfer', 'InnerTransfer'),
      ipRestricted: typeof ipWhitelist === 'string' && ipWhitelist.trim() !== '',
    };
  },
};
