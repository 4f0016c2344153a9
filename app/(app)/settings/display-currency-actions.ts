'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authActionClient } from '@/lib/safe-action';
import { setDisplayCurrency } from '@/lib/valuation/display-currency';
import { DISPLAY_CURRENCIES } from '@/lib/valuation/types';

export const displayCurrencySchema = z
  .object({
    currency: z.enum(DISPLAY_CURRENCIES, {
      error: `Display currency must be one of ${DISPLAY_CURRENCIES.join(', ')}.`,
    }),
  })
  .strict();

export const setDisplayCurrencyAction = authActionClient
  .inputSchema(displayCurrencySchema)
  .action(async ({ parsedInput, ctx }) => {
    await setDisplayCurrency(ctx.user.id, parsedInput.currency);
    // Every page that shows money reads the setting when it renders; drop any client-cached copy.
    revalidatePath('/', 'layout');
    return { currency: parsedInput.currency };
  });
