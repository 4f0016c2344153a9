import 'server-only';
import { eq } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { users } from '@/db/schema';
import { DISPLAY_CURRENCIES, type DisplayCurrency } from './types';

export function isDisplayCurrency(value: unknown): value is DisplayCurrency {
  return typeof value === 'string' && (DISPLAY_CURRENCIES as readonly string[]).includes(value);
}

/** The currency the user sees values in; USD until they choose another. */
export async function getDisplayCurrency(userId: string, db: Database = getDb()): Promise<DisplayCurrency> {
  const [row] = await db
    .select({ currency: users.displayCurrency })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return isDisplayCurrency(row?.currency) ? row.currency : 'USD';
}

/** Saves the user's display currency; anything outside DISPLAY_CURRENCIES is refused by name. */
export async function setDisplayCurrency(
  userId: string,
  currency: DisplayCurrency,
  db: Database = getDb(),
): Promise<void> {
  if (!isDisplayCurrency(currency)) {
    throw new Error(`Display currency must be one of ${DISPLAY_CURRENCIES.join(', ')}`);
  }
  await db.update(users).set({ displayCurrency: currency, updatedAt: new Date() }).where(eq(users.id, userId));
}
