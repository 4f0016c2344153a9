'use server';

import { z } from 'zod';
import { authActionClient } from '@/lib/safe-action';
import { setDisplayCurrency } from '@/lib/valuation/display-currency';
import { DISPLAY_CURRENCIES } from '@/lib/valuation/types';

const displayCurrencySchema = z
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
    return { currency: parsedInput.currency };
  });
