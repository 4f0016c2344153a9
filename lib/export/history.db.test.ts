import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { hourBefore, insertBalanceHistory, insertPriceHistory } from '@/lib/testing/prices';
import { toCsv } from './csv';
import { HISTORY_HEADER, historyCsvRows } from './history';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const h = (hoursAgo: number) => hourBefore(new Date(), hoursAgo);

describe('historyCsvRows', () => {
  it('exports the user’s own value per hour at that hour’s prices, never another user’s', async () => {
    const [userId, otherId] = [await createTestUser(), await createTestUser()];
    const mine = await createTestConnection({ userId, exchangeId: 'kraken' });
    const theirs = await createTestConnection({ userId: otherId, exchangeId: 'kraken' });
    await insertBalanceHistory([
      [mine, 'BTC', h(1), '0.5'],
      [theirs, 'BTC', h(1), '1000'],
    ]);
    await insertPriceHistory([
      ['BTC', 'kraken', h(1), '50000'],
      ['BTC', 'kraken', h(0), '60000.5'],
    ]);

    const csv = toCsv(HISTORY_HEADER, await historyCsvRows(userId));
    expect(parse(csv)).toEqual([
      ['at', 'value', 'currency'],
      [h(1).toISOString(), '25000', 'USD'],
      [h(0).toISOString(), '30000.25', 'USD'],
    ]);
    expect(csv).not.toContain('1000');
  });
});
