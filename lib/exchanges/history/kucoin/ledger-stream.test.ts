import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { ActivityEntry, HistoryPageRequest, StreamCursor } from '../types';
import type { LedgerEndpoint } from './ledger-endpoints';
import { LONE_SIDE_NOTE } from './ledger-line';
import { LEDGER_RETENTION_MS, MAX_REQUESTS_PER_PAGE, readLedgerPage, SETTLE_MS } from './ledger-stream';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const client = { safeCurrencyCode: (id: string) => id } as unknown as Exchange;

interface RawLine {
  id: string;
  currency: string;
  amount: string;
  fee: string;
  direction: 'in' | 'out';
  bizType: string;
  createdAt: number;
  context: string;
}

/** A ledger in memory with KuCoin's rules: one day at most per request, newest first, numbered pages of `pageSize`. */
function fakeLedger(lines: RawLine[], pageSize = 3) {
  const requests: Array<{ startAt: number; endAt: number; page: number }> = [];
  const endpoint: LedgerEndpoint = {
    spanMs: DAY,
    async read(_client, range, position) {
      if (range.endAt - range.startAt > DAY) throw new Error('not in the given range!');
      requests.push({ ...range, page: position.page });
      const inRange = lines
        .filter((line) => line.createdAt >= range.startAt && line.createdAt <= range.endAt)
        .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
      const items = inRange.slice((position.page - 1) * pageSize, position.page * pageSize);
      const more = position.page * pageSize < inRange.length;
      return { items, next: more ? { page: position.page + 1, lastId: null } : null };
    },
  };
  return { endpoint, requests };
}

const tradeSide = (
  id: string,
  createdAt: number,
  currency: string,
  direction: 'in' | 'out',
  amount: string,
  fee = '0',
) => ({
  id,
  currency,
  amount,
  fee,
  direction,
  bizType: 'Exchange',
  createdAt,
  context: JSON.stringify({ symbol: 'BTC-USDT', orderId: 'order-1', tradeId: 'trade-1' }),
});

async function backfill(endpoint: LedgerEndpoint) {
  const entries: ActivityEntry[] = [];
  let cursor: StreamCursor | null = null;
  let pages = 0;
  for (;;) {
    const request: HistoryPageRequest = { stream: 'ledger', cursor, mode: 'backfill', now: new Date(NOW) };
    const page = await readLedgerPage(client, endpoint, request);
    pages += 1;
    entries.push(...page.entries);
    cursor = page.cursor;
    if (page.done) return { entries, pages, cursor };
    // A walk that stops moving back would otherwise spin here for ever.
    if (pages > 1_000) throw new Error('the backfill never finished');
  }
}

describe('reading a KuCoin ledger window by window', () => {
  it('pairs the two sides of a trade written a millisecond apart across a window boundary', async () => {
    // The first window read ends SETTLE_MS before now; the next one ends a day before that.
    const boundary = NOW - SETTLE_MS - DAY + 1;
    const { endpoint } = fakeLedger([
      tradeSide('b', boundary, 'BTC', 'in', '0.5'),
      tradeSide('q', boundary - 1, 'USDT', 'out', '30030', '30'),
    ]);
    const { entries } = await backfill(endpoint);
    expect(entries).toEqual([
      expect.objectContaining({
        kind: 'trade',
        externalId: 'trade-1:order-1',
        asset: 'BTC',
        amount: '0.5',
        counterAsset: 'USDT',
        counterAmount: '-30000',
        price: '60000',
        feeAsset: 'USDT',
        feeAmount: '30',
        note: null,
      }),
    ]);
  });

  it('writes a side whose other side KuCoin no longer has as an entry of its own, still exact', async () => {
    const { endpoint } = fakeLedger([tradeSide('q', NOW - 5 * DAY, 'USDT', 'in', '99.9', '0.1')]);
    const { entries } = await backfill(endpoint);
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'trade', asset: 'USDT', amount: '100', feeAmount: '0.1', note: LONE_SIDE_NOTE }),
    ]);
  });

  it('walks a quiet year in one request per day, several empty days per page', async () => {
    const { endpoint, requests } = fakeLedger([]);
    const { entries, pages, cursor } = await backfill(endpoint);
    expect(entries).toEqual([]);
    expect(requests).toHaveLength(Math.ceil(LEDGER_RETENTION_MS / DAY));
    expect(pages).toBe(Math.ceil(requests.length / MAX_REQUESTS_PER_PAGE));
    // Windows touch without a gap or an overlap, back to exactly a year ago.
    for (let i = 1; i < requests.length; i++) expect(requests[i]!.endAt).toBe(requests[i - 1]!.startAt - 1);
    expect(requests.at(-1)!.startAt).toBe(NOW - LEDGER_RETENTION_MS);
    expect(cursor).toMatchObject({ windowEnd: null, waiting: null });
  });

  it('keeps paging one busy day before moving to the next', async () => {
    const day = NOW - 3 * DAY;
    const lines = Array.from({ length: 7 }, (_, i) => ({
      id: `d${i}`,
      currency: 'USDT',
      amount: '1',
      fee: '0',
      direction: 'in' as const,
      bizType: 'Deposit',
      createdAt: day + i,
      context: '',
    }));
    const { endpoint, requests } = fakeLedger(lines);
    const { entries } = await backfill(endpoint);
    expect(entries.map((entry) => entry.externalId).sort()).toEqual(lines.map((line) => line.id));
    expect(requests.filter((request) => request.page > 1).map((request) => request.page)).toEqual([2, 3]);
    expect(requests).toHaveLength(365 + 2);
  });

  it('costs a quiet stream one request per incremental run, none before anything new can have settled', async () => {
    const { endpoint, requests } = fakeLedger([]);
    const { cursor } = await backfill(endpoint);
    const incremental = (now: number, from: StreamCursor) =>
      readLedgerPage(client, endpoint, { stream: 'ledger', cursor: from, mode: 'incremental', now: new Date(now) });

    const sameMoment = await incremental(NOW, cursor);
    expect(sameMoment).toMatchObject({ entries: [], done: true });
    expect(requests).toHaveLength(365);

    const hourLater = await incremental(NOW + 3_600_000, sameMoment.cursor);
    expect(hourLater).toMatchObject({ entries: [], done: true });
    expect(requests).toHaveLength(366);
    expect(requests.at(-1)).toMatchObject({ startAt: NOW - SETTLE_MS + 1, endAt: NOW + 3_600_000 - SETTLE_MS });
  });
});
