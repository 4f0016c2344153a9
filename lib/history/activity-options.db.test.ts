import { beforeAll, describe, expect, it } from 'vitest';
import { insertActivity } from '@/lib/testing/activity-factory';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { insertHoldings } from '@/lib/testing/prices';
import { activityAssets, activityConnections } from './activity-options';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const when = new Date('2026-03-01T00:00:00Z');

describe('the activity filters’ options', () => {
  it('lists the user’s own connections (disconnected ones too) and every asset of their entries and holdings', async () => {
    const userId = await createTestUser();
    const kraken = await createTestConnection({ userId, exchangeId: 'kraken', label: 'b Kraken' });
    const gone = await createTestConnection({
      userId,
      exchangeId: 'binance',
      label: 'A Binance',
      credentials: null,
      values: { disconnectedAt: when },
    });
    await insertActivity(userId, kraken, [
      { occurredAt: when, asset: 'BTC', amount: '1' },
      { occurredAt: when, asset: 'BTC', amount: '2' },
      { occurredAt: when, asset: 'ETH', amount: '1' },
    ]);
    await insertActivity(userId, gone, [{ occurredAt: when, asset: 'SOL', amount: '1' }]);
    await insertHoldings(userId, kraken, [['DOT.S', 'spot', '4']]);
    const otherId = await createTestUser();
    const theirs = await createTestConnection({ userId: otherId, exchangeId: 'kraken', label: 'Theirs' });
    await insertActivity(otherId, theirs, [{ occurredAt: when, asset: 'XMR', amount: '1' }]);

    expect(await activityConnections(userId)).toEqual([
      { id: gone, label: 'A Binance', exchangeName: 'Binance', disconnected: true },
      { id: kraken, label: 'b Kraken', exchangeName: 'Kraken', disconnected: false },
    ]);
    expect(await activityAssets(userId)).toEqual(['BTC', 'DOT.S', 'ETH', 'SOL']);
  });
});
