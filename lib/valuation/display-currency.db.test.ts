import { describe, expect, it } from 'vitest';
import { createTestUser } from '@/lib/testing/factories';
import { withTestDatabase } from '@/lib/testing/database';
import { getDisplayCurrency, setDisplayCurrency } from './display-currency';
import type { DisplayCurrency } from './types';

withTestDatabase();

describe('display currency', () => {
  it('is USD until the user chooses, then theirs alone', async () => {
    const [me, other] = [await createTestUser(), await createTestUser()];
    expect(await getDisplayCurrency(me)).toBe('USD');
    await setDisplayCurrency(me, 'JPY');
    expect(await getDisplayCurrency(me)).toBe('JPY');
    expect(await getDisplayCurrency(other)).toBe('USD');
  });

  it('refuses a currency it cannot show, naming the setting', async () => {
    const me = await createTestUser();
    await expect(setDisplayCurrency(me, 'BTC' as DisplayCurrency)).rejects.toThrow(/Display currency must be one of/);
    expect(await getDisplayCurrency(me)).toBe('USD');
  });
});
