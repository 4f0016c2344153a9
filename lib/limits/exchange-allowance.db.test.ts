// This process's allowance of an exchange budget, against the real database (PGlite, or PostgreSQL
// with DATABASE_URL): fewer writes than draws, every drawn call counted in the database, and exactly
// what the window has left getting through when the database refuses a block. Date is frozen and
// moved by hand, so a window ends without the test sleeping through it.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { rateLimits } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { recordingDatabase } from '@/lib/testing/factories';
import { allowanceFor } from './exchange-allowance';
import { take, type LimitPolicy } from './limiter';

const database = withTestDatabase({ isolated: true });

beforeAll(() => vi.useFakeTimers({ toFake: ['Date'] }));
afterAll(() => vi.useRealTimers());

const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

async function counted(policy: LimitPolicy, subject: string): Promise<number> {
  const [row] = await getDb()
    .select({ points: rateLimits.points })
    .from(rateLimits)
    .where(eq(rateLimits.key, `${policy.name}:${subject}`));
  return row?.points ?? 0;
}

describe("a process's allowance of an exchange budget", () => {
  it('takes a busy second’s calls in a few blocks, each counted in the database, and none past the window', async () => {
    const policy: LimitPolicy = { name: 'allowance-busy', points: 10_000, windowSeconds: 60 };
    const recording = recordingDatabase(database.handle());
    const allowance = allowanceFor(policy, 'binance', recording.db);
    // Fifty syncs of four requests each, one after another within one second.
    for (let i = 0; i < 50; i++) expect(await allowance.draw(4)).toMatchObject({ ok: true });
    const writes = recording.statements.length;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(10);
    const inDatabase = await counted(policy, 'binance');
    expect(inDatabase).toBeGreaterThanOrEqual(200);
    // Ahead of need by at most 5% of the window.
    expect(inDatabase).toBeLessThanOrEqual(200 + 500);

    // The window ends: calls left over from it are not used, the next draw takes from the new window.
    later(61);
    expect(await allowance.draw(4)).toMatchObject({ ok: true });
    expect(recording.statements.length).toBe(writes + 1);
    expect(await counted(policy, 'binance')).toBeGreaterThanOrEqual(4);
    expect(await counted(policy, 'binance')).toBeLessThan(inDatabase);
  });

  it('lets exactly what the window has left through when another process spent the rest', async () => {
    const policy: LimitPolicy = { name: 'allowance-shared', points: 100, windowSeconds: 60 };
    const allowance = allowanceFor(policy, 'binance');
    // Three calls drawn (in two blocks): the allowance last saw 97 left in the window.
    for (let i = 0; i < 3; i++) expect(await allowance.draw(1)).toMatchObject({ ok: true });
    expect(await counted(policy, 'binance')).toBe(3);
    // Another process spends all but two.
    expect(await take(policy, 'binance', 95)).toEqual({ ok: true });

    // Four draws at once ask for a block the window no longer has; the refused block is given back,
    // so the two calls left still go to two of them.
    const draws = await Promise.all(Array.from({ length: 4 }, () => allowance.draw(1)));
    expect(draws.filter((draw) => draw.ok)).toHaveLength(2);
    for (const refused of draws.filter((draw) => !draw.ok)) {
      expect(refused).toMatchObject({ ok: false, retryAfterMs: expect.any(Number) });
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });
});
