import type { Exchange } from 'ccxt';
import { MalformedResponseError } from '../../malformed';

/** Where one read of a window starts: a page number (classic ledger) or the last id seen (HF ledger). */
export interface PagePosition {
  page: number;
  lastId: string | null;
}

export interface LedgerRead {
  items: unknown[];
  /** The next page of the same window, or null when the window is read. */
  next: PagePosition | null;
}

/** One of KuCoin's two ledgers: its widest time window and how one page of it is read. */
export interface LedgerEndpoint {
  /** The widest `endAt − startAt` the endpoint accepts. */
  spanMs: number;
  read(client: Exchange, range: { startAt: number; endAt: number }, position: PagePosition): Promise<LedgerRead>;
}

interface KucoinLedgerEndpoints {
  privateGetAccountsLedgers(params: Record<string, string | number>): Promise<unknown>;
  privateGetHfAccountsLedgers(params: Record<string, string | number>): Promise<unknown>;
}

const kucoin = (client: Exchange) => client as Exchange & KucoinLedgerEndpoints;

function data(response: unknown): unknown {
  if (!response || typeof response !== 'object' || !('data' in response)) {
    throw new MalformedResponseError('The exchange sent no ledger.');
  }
  return (response as { data: unknown }).data;
}

const DAY_MS = 86_400_000;
/** KuCoin's largest classic page. */
export const CLASSIC_PAGE_SIZE = 500;
/** KuCoin's largest HF page. */
export const HF_PAGE_SIZE = 200;

/**
 * `GET /api/v1/accounts/ledgers`: the main and classic trading accounts. KuCoin refuses a window over
 * 24 hours; pages are numbered (`currentPage`, up to 500 lines), newest first.
 */
export const classicLedger: LedgerEndpoint = {
  spanMs: DAY_MS,
  async read(client, range, position) {
    const response = await kucoin(client).privateGetAccountsLedgers({
      startAt: range.startAt,
      endAt: range.endAt,
      currentPage: position.page,
      pageSize: CLASSIC_PAGE_SIZE,
    });
    const page = data(response) as { items?: unknown; currentPage?: unknown; totalPage?: unknown } | null;
    if (!page || !Array.isArray(page.items))
      throw new MalformedResponseError('The exchange sent an unreadable ledger.');
    const current = Number(page.currentPage ?? position.page);
    const total = Number(page.totalPage ?? 0);
    const more = Number.isFinite(current) && Number.isFinite(total) && current < total && page.items.length > 0;
    return { items: page.items, next: more ? { page: current + 1, lastId: null } : null };
  },
};

/**
 * `GET /api/v1/hf/accounts/ledgers`: the high-frequency trading account, in windows of up to 7 days;
 * pages go back by `lastId` (lines older than the last one seen), up to 200 lines, newest first.
 */
export const hfLedger: LedgerEndpoint = {
  spanMs: 7 * DAY_MS,
  async read(client, range, position) {
    const response = await kucoin(client).privateGetHfAccountsLedgers({
      startAt: range.startAt,
      endAt: range.endAt,
      limit: HF_PAGE_SIZE,
      ...(position.lastId ? { lastId: position.lastId } : {}),
    });
    const items = data(response);
    if (!Array.isArray(items)) throw new MalformedResponseError('The exchange sent an unreadable ledger.');
    const last = items.at(-1) as { id?: unknown } | undefined;
    const lastId = last && (typeof last.id === 'string' || typeof last.id === 'number') ? String(last.id) : null;
    return { items, next: items.length >= HF_PAGE_SIZE && lastId ? { page: 1, lastId } : null };
  },
};
