// History imports draw from a budget of their own (EXCHANGE_HISTORY_BUDGET_<ID>), so a backfill that
// spends all of it leaves the balance budget (EXCHANGE_BUDGET_<ID>) untouched, and the other way round.
// Real database (PGlite, or PostgreSQL with DATABASE_URL); Date frozen so windows do not roll over.
import { like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/db';
import { rateLimits } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { ExchangeBudgetExhaustedError } from './budget-error';
import { BudgetReservation } from './exchange-budget';
import { budgetFor, exchangeBudget, exchangeHistoryBudget } from './policies';

withTestDatabase({ isolated: true });

beforeAll(() => vi.useFakeTimers({ toFake: ['Date'] }));
afterAll(() => vi.useRealTimers());
afterEach(() => {
  delete process.env.EXCHANGE_HISTORY_BUDGET_HB1;
  delete process.env.EXCHANGE_BUDGET_HB1;
  delete process.env.EXCHANGE_HISTORY_BUDGET_HB2;
  delete process.env.EXCHANGE_BUDGET_HB2;
  delete process.env.EXCHANGE_HISTORY_BUDGET_DEFAULT;
});

/** Makes `count` requests on one reservation; answers how many went through before the first refusal. */
async function spend(exchangeId: string, purpose: string, count: number): Promise<number> {
  const reservation = new BudgetReservation(exchangeId, purpose);
  let made = 0;
  try {
    for (let i = 0; i < count; i++) {
      await reservation.request();
      made += 1;
    }
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeBudgetExhaustedError);
  } finally {
    await reservation.close();
  }
  return made;
}

async function counted(prefix: string): Promise<number> {
  const rows = await getDb()
    .select()
    .from(rateLimits)
    .where(like(rateLimits.key, `${prefix}:%`));
  return rows.reduce((sum, row) => sum + row.points, 0);
}

describe('the history budget', () => {
  it('is its own policy, from EXCHANGE_HISTORY_BUDGET_<ID>, defaulting to 120 a minute', () => {
    expect(exchangeHistoryBudget('kraken', {})).toEqual({
      name: 'exchange-history-budget',
      points: 120,
      windowSeconds: 60,
    });
    expect(exchangeHistoryBudget('kraken', { EXCHANGE_HISTORY_BUDGET_KRAKEN: '30/10' })).toMatchObject({
      points: 30,
      windowSeconds: 10,
    });
    expect(budgetFor('kraken', 'history', {})).toMatchObject({ name: 'exchange-history-budget' });
    for (const purpose of ['balances', 'permissions', 'markets', 'request']) {
      expect(budgetFor('kraken', purpose, {})).toEqual(exchangeBudget('kraken', {}));
    }
  });

  it('a backfill that spends its whole budget leaves every balance request its budget', async () => {
    process.env.EXCHANGE_HISTORY_BUDGET_HB1 = '4/60';
    process.env.EXCHANGE_BUDGET_HB1 = '6/60';

    // The history import runs out after exactly its 4 requests…
    expect(await spend('hb1', 'history', 10)).toBe(4);
    expect(await counted('exchange-history-budget')).toBeGreaterThanOrEqual(4);
    // …and has not spent a single call of the balance budget: all 6 balance requests go out.
    expect(await counted('exchange-budget')).toBe(0);
    expect(await spend('hb1', 'balances', 6)).toBe(6);
    expect(await spend('hb1', 'balances', 1)).toBe(0);
  });

  it('balance requests that spend the whole balance budget leave the history budget untouched', async () => {
    process.env.EXCHANGE_HISTORY_BUDGET_HB2 = '3/60';
    process.env.EXCHANGE_BUDGET_HB2 = '5/60';
    expect(await spend('hb2', 'balances', 10)).toBe(5);
    expect(await spend('hb2', 'history', 3)).toBe(3);
  });
});
