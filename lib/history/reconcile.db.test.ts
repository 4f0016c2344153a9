import { beforeAll, describe, expect, it } from 'vitest';
import { insertActivity, insertImportState, type TestActivityEntry } from '@/lib/testing/activity-factory';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { insertHoldings } from '@/lib/testing/prices';
import { reconcileConnection } from './reconcile';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const at = (iso: string) => new Date(iso);

/** A Kraken-like ledger: 1 BTC and 10,000 USD in, 0.4 BTC sold, fees in USD and BTC, a failed withdrawal. */
const HISTORY: TestActivityEntry[] = [
  { kind: 'deposit', occurredAt: at('2024-01-01T00:00:00Z'), asset: 'BTC', amount: '1' },
  { kind: 'deposit', occurredAt: at('2024-01-02T00:00:00Z'), asset: 'USD', amount: '10000.00' },
  {
    kind: 'trade',
    occurredAt: at('2024-02-01T00:00:00Z'),
    asset: 'BTC',
    amount: '-0.4',
    counterAsset: 'USD',
    counterAmount: '24000.123456789',
    price: '60000.30864197',
    feeAsset: 'USD',
    feeAmount: '38.4',
  },
  {
    kind: 'withdrawal',
    occurredAt: at('2024-03-01T00:00:00Z'),
    asset: 'BTC',
    amount: '-0.1',
    feeAsset: 'BTC',
    feeAmount: '0.00001',
  },
  // Failed: it never left the balance, so it does not count.
  { kind: 'withdrawal', occurredAt: at('2024-03-02T00:00:00Z'), asset: 'BTC', amount: '-0.3', status: 'failed' },
  { kind: 'reward', occurredAt: at('2024-04-01T00:00:00Z'), asset: 'DOT', amount: '0.000000000000000001' },
];

async function seed(holdings: Array<[asset: string, wallet: string, total: string]>) {
  const userId = await createTestUser();
  const connectionId = await createTestConnection({ userId, exchangeId: 'kraken' });
  await insertActivity(userId, connectionId, HISTORY);
  await insertHoldings(userId, connectionId, holdings);
  return { userId, connectionId };
}

describe('reconcileConnection', () => {
  it('shows zero difference for a history that explains the balances, over every wallet, exactly', async () => {
    const { userId, connectionId } = await seed([
      ['BTC', 'spot', '0.3'],
      ['BTC', 'earn', '0.19999'],
      ['USD', 'spot', '33961.723456789'],
      ['DOT', 'spot', '0.000000000000000001'],
    ]);
    await insertImportState(userId, connectionId, {
      completeHistory: true,
      streams: [{ stream: 'ledger', backfilled: true, coveredFrom: at('2024-01-01T00:00:00Z') }],
    });
    const result = await reconcileConnection(userId, connectionId);
    expect(result.coverage).toBe('complete');
    expect(result.assets).toEqual([
      { asset: 'BTC', reported: '0.49999', calculated: '0.49999', difference: '0', unexplained: false },
      {
        asset: 'DOT',
        reported: '0.000000000000000001',
        calculated: '0.000000000000000001',
        difference: '0',
        unexplained: false,
      },
      { asset: 'USD', reported: '33961.723456789', calculated: '33961.723456789', difference: '0', unexplained: false },
    ]);
  });

  it('gives the exact difference of an inconsistent history, unexplained on a complete one', async () => {
    const { userId, connectionId } = await seed([
      ['BTC', 'spot', '0.6'],
      ['USD', 'spot', '33961.723456789'],
      ['ETH', 'spot', '2'],
    ]);
    await insertImportState(userId, connectionId, {
      completeHistory: true,
      streams: [{ stream: 'ledger', backfilled: true, coveredFrom: at('2024-01-01T00:00:00Z') }],
    });
    const result = await reconcileConnection(userId, connectionId);
    expect(result.assets).toEqual([
      { asset: 'BTC', reported: '0.6', calculated: '0.49999', difference: '0.10001', unexplained: true },
      // Held in full and never in the history; the reward never reached the balance.
      {
        asset: 'DOT',
        reported: '0',
        calculated: '0.000000000000000001',
        difference: '-0.000000000000000001',
        unexplained: true,
      },
      { asset: 'ETH', reported: '2', calculated: '0', difference: '2', unexplained: true },
      { asset: 'USD', reported: '33961.723456789', calculated: '33961.723456789', difference: '0', unexplained: false },
    ]);
  });

  it('is partial, from the oldest covered time, while a stream is not backfilled or the exchange keeps windows', async () => {
    const { userId, connectionId } = await seed([['BTC', 'spot', '0.6']]);
    await insertImportState(userId, connectionId, {
      completeHistory: true,
      streams: [
        { stream: 'ledger', backfilled: true, coveredFrom: at('2024-01-01T00:00:00Z') },
        { stream: 'trades', backfilled: false, coveredFrom: at('2023-06-01T00:00:00Z') },
      ],
    });
    const running = await reconcileConnection(userId, connectionId);
    expect(running).toMatchObject({ coverage: 'partial', coveredFrom: at('2023-06-01T00:00:00Z') });
    expect(running.assets.find((asset) => asset.asset === 'BTC')).toMatchObject({
      difference: '0.10001',
      unexplained: false,
    });

    const windowed = await seed([['BTC', 'spot', '0.6']]);
    await insertImportState(windowed.userId, windowed.connectionId, {
      completeHistory: false,
      streams: [{ stream: 'deposits', backfilled: true, coveredFrom: at('2024-06-01T00:00:00Z') }],
    });
    expect(await reconcileConnection(windowed.userId, windowed.connectionId)).toMatchObject({
      coverage: 'partial',
      coveredFrom: at('2024-06-01T00:00:00Z'),
    });
  });

  it('says none before any import, and shows another user nothing of the connection', async () => {
    const userId = await createTestUser();
    const connectionId = await createTestConnection({ userId, exchangeId: 'kraken' });
    await insertHoldings(userId, connectionId, [['BTC', 'spot', '1']]);
    expect(await reconcileConnection(userId, connectionId)).toMatchObject({
      coverage: 'none',
      assets: [{ asset: 'BTC', reported: '1', calculated: '0', difference: '1', unexplained: false }],
    });
    const { connectionId: theirs } = await seed([['BTC', 'spot', '0.6']]);
    expect(await reconcileConnection(userId, theirs)).toEqual({
      connectionId: theirs,
      coverage: 'none',
      coveredFrom: null,
      assets: [],
    });
  });
});
