import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { insertHoldings, insertPrices } from '@/lib/testing/prices';
import { setDisplayCurrency } from '@/lib/valuation/display-currency';
import { toCsv } from './csv';
import { HOLDINGS_HEADER, holdingsCsvRows } from './holdings';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const at = new Date(Date.now() - 60_000);

beforeAll(async () => {
  await insertPrices([
    ['BTC', 'binance', '60000.5', 'BTC/USDT', at],
    ['EUR', 'kraken', '1.25', 'EUR/USD', at],
  ]);
});

const exportOf = async (userId: string) => parse(toCsv(HOLDINGS_HEADER, await holdingsCsvRows(userId))) as string[][];

describe('holdingsCsvRows', () => {
  it('writes one row per asset and wallet, valued exactly, unpriced with empty cells, a hostile label neutralised', async () => {
    const userId = await createTestUser();
    const binance = await createTestConnection({ userId, exchangeId: 'binance', label: '=HYPERLINK("x"), "main"' });
    await insertHoldings(userId, binance, [
      ['BTC', 'spot', '0.1'],
      ['BTC', 'funding', '0.00000001'],
      ['NOPE', 'spot', '7'],
    ]);

    const [header, ...rows] = await exportOf(userId);
    expect(header).toEqual([...HOLDINGS_HEADER]);
    const label = `'=HYPERLINK("x"), "main"`;
    expect(rows.map((row) => row.slice(0, 9))).toEqual([
      // Sources in the valuation's stable order: label, connection, wallet.
      ['BTC', 'funding', 'Binance', label, '0.00000001', '60000.5', '0.000600005', 'USD', at.toISOString()],
      ['BTC', 'spot', 'Binance', label, '0.1', '60000.5', '6000.05', 'USD', at.toISOString()],
      ['NOPE', 'spot', 'Binance', label, '7', '', '', 'USD', ''],
    ]);
    expect(rows.map((row) => row[9])).toEqual(['binance BTC/USDT', 'binance BTC/USDT', '']);
  });

  it('converts to the display currency, and never contains another user’s holdings', async () => {
    const [userId, otherId] = [await createTestUser(), await createTestUser()];
    const mine = await createTestConnection({ userId, exchangeId: 'binance', label: 'Mine' });
    const theirs = await createTestConnection({ userId: otherId, exchangeId: 'binance', label: 'Theirs' });
    await insertHoldings(userId, mine, [['BTC', 'spot', '1']]);
    await insertHoldings(otherId, theirs, [
      ['BTC', 'spot', '5'],
      ['ETH', 'spot', '9'],
    ]);
    await setDisplayCurrency(userId, 'EUR');

    const [, ...rows] = await exportOf(userId);
    // 60000.5 USD at 1.25 USD per EUR.
    expect(rows.map((row) => row.slice(0, 8))).toEqual([
      ['BTC', 'spot', 'Binance', 'Mine', '1', '48000.4', '48000.4', 'EUR'],
    ]);
    const theirRows = (await exportOf(otherId)).slice(1);
    expect(theirRows.map((row) => [row[0], row[3], row[4], row[7]])).toEqual([
      ['BTC', 'Theirs', '5', 'USD'],
      ['ETH', 'Theirs', '9', 'USD'],
    ]);
  });
});
