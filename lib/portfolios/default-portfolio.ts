import { and, eq } from 'drizzle-orm';
import type { Database } from '@/db';
import { portfolios } from '@/db/schema';

export const DEFAULT_PORTFOLIO_NAME = 'Main Portfolio';

/** The user's default portfolio, created on first need; safe when two requests race (unique partial index). */
export async function ensureDefaultPortfolio(db: Database, userId: string): Promise<string> {
  const find = () =>
    db
      .select({ id: portfolios.id })
      .from(portfolios)
      .where(and(eq(portfolios.userId, userId), eq(portfolios.isDefault, true)));
  const [existing] = await find();
  if (existing) return existing.id;
  const [created] = await db
    .insert(portfolios)
    .values({ userId, name: DEFAULT_PORTFOLIO_NAME, isDefault: true })
    .onConflictDoNothing()
    .returning({ id: portfolios.id });
  if (created) return created.id;
  const [winner] = await find();
  if (!winner) throw new Error('Default portfolio could not be created');
  return winner.id;
}
