import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { insertActivity, insertActivitySeries } from '@/lib/testing/activity-factory';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { insertPriceHistory } from '@/lib/testing/prices';
import type { ActivityFilters } from '@/lib/history/activity-filters';
import { ACTIVITY_HEADER, activityCsvRows, KOINLY_HEADER, koinlyCsvRows } from './activity';
import { csvStream, type CsvCell } from './csv';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);
beforeAll(() => insertPriceHistory([['BTC', 'kraken', at('2026-03-02T10:00:00Z'), '60000']]));

const at = (iso: string) => new Date(iso);

/** The streamed file, read back by an independent RFC 4180 parser. */
async function read(header: readonly string[], rows: AsyncIterable<CsvCell[]>): Promise<string[][]> {
  const text = await new Response(csvStream(header, rows)).text();
  return parse(text, { record_delimiter: '\r\n' }) as string[][];
}

async function seed() {
  const userId = await createTestUser();
  const kraken = await createTestConnection({ userId, exchangeId: 'kraken', label: '=HYPERLINK("x"), main' });
  await insertActivity(userId, kraken, [
    {
      externalId: 'L-BUY',
      kind: 'trade',
      occurredAt: at('2026-03-02T10:30:05.123Z'),
      asset: 'BTC',
      amount: '0.123456789012345678',
      counterAsset: 'USD',
      counterAmount: '-7407.40734074074068',
      price: '60000',
      feeAsset: 'USD',
      feeAmount: '11.85',
    },
    {
      externalId: 'L-SELL',
      kind: 'trade',
      occurredAt: at('2026-03-02T11:00:00Z'),
      asset: 'ETH',
      amount: '-2',
      counterAsset: 'USD',
      counterAmount: '6000',
      price: '3000',
      feeAsset: 'USD',
      feeAmount: '9.6',
    },
    { externalId: 'L-STAKE', kind: 'reward', occurredAt: at('2026-03-03T00:00:00Z'), asset: 'DOT', amount: '0.0001' },
    {
      externalId: 'L-OUT',
      kind: 'withdrawal',
      occurredAt: at('2026-03-04T00:00:00Z'),
      asset: 'BTC',
      amount: '-0.05',
      feeAsset: 'BTC',
      feeAmount: '0.00002',
      network: 'BTC',
      txHash: 'f00dbabe',
    },
    {
      externalId: 'L-FEE',
      kind: 'fee',
      occurredAt: at('2026-03-05T00:00:00Z'),
      asset: 'USD',
      amount: '0',
      feeAsset: 'USD',
      feeAmount: '1.5',
    },
    {
      externalId: 'L-PENDING',
      kind: 'deposit',
      occurredAt: at('2026-03-06T00:00:00Z'),
      asset: 'USD',
      amount: '500',
      status: 'pending',
    },
    {
      externalId: 'L-OTHER',
      kind: 'other',
      occurredAt: at('2026-03-07T00:00:00Z'),
      asset: 'KFEE',
      amount: '-10',
      note: 'Unknown ledger type "margin"',
    },
  ]);
  return { userId, kraken };
}

describe('activityCsvRows', () => {
  it('writes every field of every entry, exact, newest first, a hostile label neutralised', async () => {
    const { userId } = await seed();
    const [header, ...rows] = await read(ACTIVITY_HEADER, activityCsvRows(userId, {}));
    expect(header).toEqual([...ACTIVITY_HEADER]);
    expect(rows.map((row) => row[16 + 1])).toEqual([
      'L-OTHER',
      'L-PENDING',
      'L-FEE',
      'L-OUT',
      'L-STAKE',
      'L-SELL',
      'L-BUY',
    ]);
    const label = `'=HYPERLINK("x"), main`;
    expect(rows.at(-1)).toEqual([
      '2026-03-02T10:30:05.123Z',
      'trade',
      'BTC',
      '0.123456789012345678',
      'USD',
      '-7407.40734074074068',
      '60000',
      'USD',
      '11.85',
      '7407.40734074074068',
      'USD',
      'Kraken',
      label,
      'ok',
      '',
      '',
      '',
      'L-BUY',
    ]);
    expect(rows.find((row) => row[17] === 'L-OUT')!.slice(0, 16)).toEqual([
      '2026-03-04T00:00:00.000Z',
      'withdrawal',
      'BTC',
      '-0.05',
      '',
      '',
      '',
      'BTC',
      '0.00002',
      '',
      '',
      'Kraken',
      label,
      'ok',
      'BTC',
      'f00dbabe',
    ]);
    expect(rows.find((row) => row[17] === 'L-PENDING')![13]).toBe('pending');
    expect(rows.find((row) => row[17] === 'L-OTHER')![16]).toBe('Unknown ledger type "margin"');
  });

  it('exports the filters’ selection only, and never another user’s entries', async () => {
    const { userId, kraken } = await seed();
    const other = await seed();
    const filters: ActivityFilters = { connectionId: kraken, kind: 'trade', asset: 'BTC' };
    const [, ...rows] = await read(ACTIVITY_HEADER, activityCsvRows(userId, filters));
    expect(rows.map((row) => row[17])).toEqual(['L-BUY']);
    const [, ...theirs] = await read(ACTIVITY_HEADER, activityCsvRows(other.userId, { connectionId: kraken }));
    expect(theirs).toEqual([]);
  });

  it('streams every page, not only the first', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, exchangeId: 'binance' });
    await insertActivitySeries(getDb(), { userId, connectionId, count: 2_345, newest: at('2026-03-10T00:00:00Z') });
    const [, ...rows] = await read(ACTIVITY_HEADER, activityCsvRows(userId, {}));
    expect(rows).toHaveLength(2_345);
    expect(new Set(rows.map((row) => row[17])).size).toBe(2_345);
  });
});

describe('koinlyCsvRows', () => {
  it('writes Koinly’s universal format: sent and received, fee, net worth, labels, UTC dates to the second', async () => {
    const { userId } = await seed();
    const [header, ...rows] = await read(KOINLY_HEADER, koinlyCsvRows(userId, {}));
    expect(header).toEqual([
      'Date',
      'Sent Amount',
      'Sent Currency',
      'Received Amount',
      'Received Currency',
      'Fee Amount',
      'Fee Currency',
      'Net Worth Amount',
      'Net Worth Currency',
      'Label',
      'Description',
      'TxHash',
    ]);
    for (const row of rows) expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // The label is inside the text, so no spreadsheet reads it as a formula.
    const description = (kind: string) => `Kraken ${kind} (=HYPERLINK("x"), main)`;
    // The pending deposit never reached the balance: not in a tax tool's file.
    expect(rows).toEqual([
      [
        '2026-03-07 00:00:00 UTC',
        '10',
        'KFEE',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        `${description('other')}: Unknown ledger type "margin"`,
        '',
      ],
      ['2026-03-05 00:00:00 UTC', '1.5', 'USD', '', '', '', '', '1.5', 'USD', 'cost', description('fee'), ''],
      [
        '2026-03-04 00:00:00 UTC',
        '0.05',
        'BTC',
        '',
        '',
        '0.00002',
        'BTC',
        '',
        '',
        '',
        description('withdrawal'),
        'f00dbabe',
      ],
      ['2026-03-03 00:00:00 UTC', '', '', '0.0001', 'DOT', '', '', '', '', 'reward', description('reward'), ''],
      ['2026-03-02 11:00:00 UTC', '2', 'ETH', '6000', 'USD', '9.6', 'USD', '6000', 'USD', '', description('trade'), ''],
      [
        '2026-03-02 10:30:05 UTC',
        '7407.40734074074068',
        'USD',
        '0.123456789012345678',
        'BTC',
        '11.85',
        'USD',
        '7407.40734074074068',
        'USD',
        '',
        description('trade'),
        '',
      ],
    ]);
  });
});
