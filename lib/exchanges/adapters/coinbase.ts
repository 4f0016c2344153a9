import 'server-only';
import type { Exchange } from 'ccxt';
import { addDecimals, isZero } from '../amounts';
import { assertParsed, MalformedResponseError } from '../malformed';
import type { BalanceRow, KeyPermissions } from '../types';
import type { ExchangeAdapter } from './types';

/** The Advanced Trade endpoints we call through ccxt's implicit API (signed with the CDP key). */
interface AdvancedTradeApi {
  v3PrivateGetBrokerageAccounts(params: Record<string, unknown>): Promise<unknown>;
  v3PrivateGetBrokerageKeyPermissions(params?: Record<string, unknown>): Promise<unknown>;
}

const PAGE_LIMIT = 250;
// A guard against a cursor that never ends: 200 pages of 250 is far beyond any real account list.
const MAX_PAGES = 200;
// The account types ccxt's own v3 balance counts; vaults and perpetuals are separate products.
export const SPOT_ACCOUNT_TYPES = new Set(['ACCOUNT_TYPE_CRYPTO', 'ACCOUNT_TYPE_FIAT']);
const DECIMAL = /^-?\d+(\.\d+)?$/;

const api = (client: Exchange) => client as unknown as AdvancedTradeApi;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function malformed(detail: string): MalformedResponseError {
  return new MalformedResponseError(`The exchange sent an unreadable answer for the Coinbase accounts (${detail}).`);
}

/** An amount object `{ value, currency }` as a decimal string; anything else is a broken answer. */
function amountOf(account: Record<string, unknown>, field: 'available_balance' | 'hold'): string {
  const amount = account[field];
  const value = isRecord(amount) ? amount.value : undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) throw malformed(`${field} is not an amount`);
  return value.trim();
}

interface AccountsPage {
  accounts: Record<string, unknown>[];
  nextCursor: string | null;
}

function parsePage(response: unknown, previousCursor: string | null): AccountsPage {
  assertParsed(response, 'the Coinbase accounts');
  if (!isRecord(response) || !Array.isArray(response.accounts)) throw malformed('no account list');
  const accounts = response.accounts.filter(isRecord);
  if (accounts.length !== response.accounts.length) throw malformed('an account is not an object');
  if (response.has_next !== true) return { accounts, nextCursor: null };
  const cursor = response.cursor;
  if (typeof cursor !== 'string' || cursor === '' || cursor === previousCursor) {
    throw malformed('has_next without a new cursor');
  }
  return { accounts, nextCursor: cursor };
}

/**
 * Every Advanced Trade account, page by page: ccxt's fetchBalance reads only the first page (up
 * to 250 accounts), and users with many small holdings have more.
 */
export async function fetchAllAccounts(client: Exchange): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await api(client).v3PrivateGetBrokerageAccounts({
      limit: PAGE_LIMIT,
      ...(cursor ? { cursor } : {}),
    });
    const parsed = parsePage(response, cursor);
    all.push(...parsed.accounts);
    if (!parsed.nextCursor) return all;
    cursor = parsed.nextCursor;
  }
  throw malformed(`more than ${MAX_PAGES} pages`);
}

/** Accounts → one spot row per currency; several accounts in one currency are summed as decimals. */
function spotRows(client: Exchange, accounts: Record<string, unknown>[]): BalanceRow[] {
  const byAsset = new Map<string, { free: string; used: string }>();
  for (const account of accounts) {
    if (typeof account.type !== 'string' || !SPOT_ACCOUNT_TYPES.has(account.type)) continue;
    if (typeof account.currency !== 'string' || account.currency === '') throw malformed('an account has no currency');
    const asset = client.safeCurrencyCode(account.currency) ?? account.currency;
    const free = amountOf(account, 'available_balance');
    const used = amountOf(account, 'hold');
    const sum = byAsset.get(asset);
    byAsset.set(asset, sum ? { free: addDecimals(sum.free, free), used: addDecimals(sum.used, used) } : { free, used });
  }
  const rows: BalanceRow[] = [];
  for (const [asset, { free, used }] of byAsset) {
    const row = {
      asset,
      wallet: 'spot',
      free: addDecimals(free),
      used: addDecimals(used),
      total: addDecimals(free, used),
    };
    if (!isZero(row.total) || !isZero(row.free) || !isZero(row.used)) rows.push(row);
  }
  return rows;
}

function flag(response: Record<string, unknown>, name: string): boolean {
  const value = response[name];
  if (typeof value !== 'boolean') {
    throw new MalformedResponseError(
      `The exchange sent an unreadable answer for the Coinbase key permissions (${name}).`,
    );
  }
  return value;
}

/**
 * Coinbase Advanced Trade with a CDP API key (ES256 `organizations/…/apiKeys/…` + EC PEM, or an
 * Ed25519 key id + base64 secret). Balances come from the v3 brokerage accounts, not ccxt's
 * default v2 `/v2/accounts`, which is the Coinbase App's view and needs other scopes.
 */
export const coinbaseAdapter: ExchangeAdapter = {
  id: 'coinbase',
  options: {
    // For anything that still calls ccxt's fetchBalance on this client: the Advanced Trade accounts.
    fetchBalance: 'v3PrivateGetBrokerageAccounts',
  },

  async fetchBalances(client) {
    return { rows: spotRows(client, await fetchAllAccounts(client)), warnings: [] };
  },

  async probePermissions(client): Promise<KeyPermissions> {
    const response = await api(client).v3PrivateGetBrokerageKeyPermissions();
    assertParsed(response, 'the Coinbase key permissions');
    const permissions = response as Record<string, unknown>;
    const transfer = flag(permissions, 'can_transfer');
    return {
      read: flag(permissions, 'can_view'),
      trade: flag(permissions, 'can_trade'),
      transfer,
      // Coinbase has no separate withdrawal scope: `can_transfer` is what allows sending funds out.
      withdraw: transfer,
      // The endpoint does not report IP allowlists; unknown counts as not restricted.
      ipRestricted: false,
    };
  },
};
