import { beforeAll, describe, expect, it } from 'vitest';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { getPortfolioFreshness, syncProblem } from './freshness';

withTestDatabase({ isolated: true });
beforeAll(useTestKeyring);

const NOW = new Date('2026-11-01T12:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

describe('getPortfolioFreshness', () => {
  it('reports the oldest sync, not the freshest, and names failing and overdue connections', async () => {
    const [userId, otherId] = [await createTestUser(), await createTestUser()];
    const fresh = await createTestConnection({ userId, values: { lastSuccessAt: ago(1), syncIntervalSeconds: 300 } });
    const late = await createTestConnection({
      userId,
      exchangeId: 'kraken',
      values: { lastSuccessAt: ago(45), syncIntervalSeconds: 300 },
    });
    const failing = await createTestConnection({
      userId,
      exchangeId: 'kucoin',
      values: { lastSuccessAt: ago(3), status: 'error' },
    });
    const keys = await createTestConnection({
      userId,
      exchangeId: 'coinbase',
      values: { lastSuccessAt: ago(2), status: 'needs_reauth' },
    });
    // Disconnected: frozen on purpose, neither "oldest" nor a problem.
    const kept = await createTestConnection({
      userId,
      exchangeId: 'bitstamp',
      values: { lastSuccessAt: ago(10_000), status: 'disabled', disconnectedAt: ago(9_000) },
    });
    await createTestConnection({ userId: otherId, values: { lastSuccessAt: ago(99_999), status: 'error' } });

    const freshness = await getPortfolioFreshness(userId, NOW);
    expect(freshness.oldestSyncAt?.toISOString()).toBe(ago(45).toISOString());
    expect(freshness.connectionCount).toBe(4);
    expect(freshness.neverSynced).toBe(0);
    expect(freshness.problems).toEqual({ [late]: 'overdue', [failing]: 'failing', [keys]: 'needs_keys' });
    expect(freshness.problems[fresh]).toBeUndefined();
    expect(freshness.frozen).toEqual([kept]);
  });

  it('counts a connection that never synced', async () => {
    const userId = await createTestUser();
    await createTestConnection({ userId, values: { lastSuccessAt: ago(1) } });
    await createTestConnection({ userId, exchangeId: 'kraken', values: { lastSuccessAt: null } });
    const freshness = await getPortfolioFreshness(userId, NOW);
    expect(freshness.neverSynced).toBe(1);
    expect(freshness.oldestSyncAt?.toISOString()).toBe(ago(1).toISOString());
  });
});

describe('syncProblem', () => {
  const base = { status: 'active' as const, autoSync: true, syncIntervalSeconds: 300, createdAt: ago(1000) };
  it('allows two intervals and ten minutes before calling a scheduled sync overdue', () => {
    expect(syncProblem({ ...base, lastSuccessAt: ago(20) }, NOW)).toBeNull();
    expect(syncProblem({ ...base, lastSuccessAt: ago(21) }, NOW)).toBe('overdue');
    expect(syncProblem({ ...base, lastSuccessAt: null }, NOW)).toBe('overdue');
    expect(syncProblem({ ...base, lastSuccessAt: null, createdAt: ago(1) }, NOW)).toBeNull();
  });
  it('never calls a connection the user syncs by hand overdue', () => {
    expect(syncProblem({ ...base, autoSync: false, lastSuccessAt: ago(10_000) }, NOW)).toBeNull();
  });
  it('reports rate limited as failing', () => {
    expect(syncProblem({ ...base, status: 'rate_limited', lastSuccessAt: ago(1) }, NOW)).toBe('failing');
  });
});
