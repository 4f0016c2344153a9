import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { holdings, syncRuns } from '@/db/schema';
import { listSyncRuns, getConnectionHoldings } from '@/lib/connections/detail';
import { getSyncStatus } from '@/lib/connections/status';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { getPortfolio, normalizeDecimal } from './holdings';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

async function hold(userId: string, connectionId: string, rows: Array<[asset: string, wallet: string, total: string]>) {
  await getDb()
    .insert(holdings)
    .values(
      rows.map(([asset, wallet, total]) => ({ connectionId, userId, asset, wallet, free: total, used: '0', total })),
    );
}

describe('getPortfolio', () => {
  it('aggregates each asset across connections and wallets in exact decimals, with the breakdown', async () => {
    const userId = await createTestUser();
    const binance = await createTestConnection({
      userId,
      label: 'Binance',
      values: { lastSuccessAt: new Date('2026-11-01T10:00:00Z') },
    });
    const kraken = await createTestConnection({
      userId,
      exchangeId: 'kraken',
      label: 'Kraken',
      values: { lastSuccessAt: new Date('2026-11-01T11:00:00Z') },
    });
    await hold(userId, binance, [
      ['BTC', 'spot', '0.1'],
      ['BTC', 'funding', '0.2'],
      ['ETH', 'spot', '12345678901234567890.123456789012345678'],
    ]);
    await hold(userId, kraken, [
      ['BTC', 'spot', '0.00000001'],
      ['ETH', 'spot', '1'],
    ]);

    const view = await getPortfolio(userId);
    expect(view.connectionCount).toBe(2);
    // The oldest: Kraken synced later, but Binance's holdings are only as current as 10:00.
    expect(view.lastSyncedAt?.toISOString()).toBe('2026-11-01T10:00:00.000Z');
    expect(view.assets.map((asset) => [asset.asset, asset.total])).toEqual([
      // 0.1 + 0.2 + 0.00000001 in floats would be 0.30000001000000004.
      ['BTC', '0.30000001'],
      ['ETH', '12345678901234567891.123456789012345678'],
    ]);
    expect(view.assets[0]!.sources.map((s) => [s.connectionLabel, s.exchangeName, s.wallet, s.total])).toEqual([
      ['Binance', 'Binance', 'funding', '0.2'],
      ['Binance', 'Binance', 'spot', '0.1'],
      ['Kraken', 'Kraken', 'spot', '0.00000001'],
    ]);
    expect(view.assets[0]!.sources.every((s) => !s.frozen)).toBe(true);
  });

  it('shows only the user’s own holdings, and marks those of a disconnected connection frozen', async () => {
    const [userId, otherId] = [await createTestUser(), await createTestUser()];
    const kept = await createTestConnection({ userId, values: { disconnectedAt: new Date(), status: 'disabled' } });
    const others = await createTestConnection({ userId: otherId });
    await hold(userId, kept, [['SOL', 'spot', '3']]);
    await hold(otherId, others, [['DOGE', 'spot', '1000']]);

    const view = await getPortfolio(userId);
    expect(view.assets.map((a) => a.asset)).toEqual(['SOL']);
    expect(view.assets[0]!.sources[0]!.frozen).toBe(true);
    expect(view.connectionCount).toBe(0);
    expect(view.lastSyncedAt).toBeNull();
    expect(await getConnectionHoldings(userId, others)).toEqual([]);
    expect(await getConnectionHoldings(otherId, others)).toEqual([
      { wallet: 'spot', asset: 'DOGE', free: '1000', used: '0', total: '1000' },
    ]);
  });

  it('answers an empty portfolio for a new user', async () => {
    expect(await getPortfolio(await createTestUser())).toEqual({ assets: [], lastSyncedAt: null, connectionCount: 0 });
  });
});

describe('listSyncRuns and getSyncStatus', () => {
  it('list the user’s runs newest first, the pending one and the latest finished one; never another user’s', async () => {
    const [userId, otherId] = [await createTestUser(), await createTestUser()];
    const connectionId = await createTestConnection({ userId });
    const t = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 10, minutes));
    await getDb()
      .insert(syncRuns)
      .values([
        {
          connectionId,
          userId,
          trigger: 'connect',
          status: 'succeeded',
          queuedAt: t(0),
          startedAt: t(0),
          finishedAt: t(1),
          assetsCount: 3,
        },
        {
          connectionId,
          userId,
          trigger: 'scheduled',
          status: 'failed',
          queuedAt: t(5),
          startedAt: t(5),
          finishedAt: t(6),
          error: 'The exchange could not be reached.',
        },
        { connectionId, userId, trigger: 'manual', status: 'running', queuedAt: t(10), startedAt: t(10) },
      ]);

    const runs = await listSyncRuns(userId, connectionId);
    expect(runs.map((run) => [run.trigger, run.status])).toEqual([
      ['manual', 'running'],
      ['scheduled', 'failed'],
      ['connect', 'succeeded'],
    ]);
    expect(await listSyncRuns(otherId, connectionId)).toEqual([]);
    expect(await listSyncRuns(userId, 'not-a-uuid')).toEqual([]);

    const status = await getSyncStatus(userId);
    expect(status.pending).toBe(true);
    const [connection] = status.connections;
    expect(connection?.pendingRun).toMatchObject({ status: 'running', trigger: 'manual' });
    expect(connection?.latestRun).toMatchObject({ status: 'failed', error: 'The exchange could not be reached.' });
    expect(connection?.latestRun?.finishedAt).toBe(t(6).toISOString());
    expect(JSON.stringify(status)).not.toMatch(/ciphertext|sync-secret|sync-key-/);
    expect(await getSyncStatus(otherId)).toMatchObject({ connections: [], pending: false });
  });
});

describe('normalizeDecimal', () => {
  it('drops trailing fractional zeros only', () => {
    expect(['1.50000000', '2.000', '100', '0.00000001', '10.0'].map(normalizeDecimal)).toEqual([
      '1.5',
      '2',
      '100',
      '0.00000001',
      '10',
    ]);
  });
});
