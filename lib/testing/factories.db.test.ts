import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections } from '@/db/schema';
import { ensureDefaultPortfolio } from '@/lib/portfolios/default-portfolio';
import { setKeyring } from '@/lib/vault/keyring';
import { loadCredentials } from '@/lib/vault/store';
import { withTestDatabase } from './database';
import { createTestConnections, createTestUsers, useTestKeyring } from './factories';

// The bulk factories are what the benches seed with; nothing else runs them, so they are checked here.
withTestDatabase();
beforeAll(useTestKeyring);
afterAll(() => setKeyring(undefined));

describe('bulk factories', () => {
  it('store each connection in its user’s default portfolio, with the given keys sealed, or none', async () => {
    const [alice, bob] = await createTestUsers(getDb(), 2, { emailPrefix: 'bulk' });
    const keys = { apiKey: 'bulk-key-a', secret: 'bulk-secret-a' };
    const ids = await createTestConnections(getDb(), [
      { userId: alice!, label: 'A', credentials: keys, values: { autoSync: false } },
      { userId: bob!, exchangeId: 'kraken', label: 'B' },
      { userId: alice!, label: 'C', credentials: null },
    ]);

    const rows = await getDb().select().from(exchangeConnections).where(inArray(exchangeConnections.id, ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(ids.map((id) => byId.get(id)?.label)).toEqual(['A', 'B', 'C']);
    expect(byId.get(ids[0]!)).toMatchObject({
      userId: alice,
      exchangeId: 'binance',
      autoSync: false,
      portfolioId: await ensureDefaultPortfolio(getDb(), alice!),
    });
    expect(byId.get(ids[1]!)).toMatchObject({
      userId: bob,
      exchangeId: 'kraken',
      portfolioId: await ensureDefaultPortfolio(getDb(), bob!),
    });

    expect(await loadCredentials(alice!, ids[0]!)).toMatchObject(keys);
    expect(await loadCredentials(bob!, ids[1]!)).toMatchObject({ apiKey: expect.stringMatching(/^test-key-/) });
    expect(await loadCredentials(alice!, ids[2]!)).toBeNull();
  });
});
