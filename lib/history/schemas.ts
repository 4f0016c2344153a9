import { z } from 'zod';
import { connectionIdSchema } from '@/lib/connections/schemas';

/** "Add a market": the market's symbol as the exchange writes it (BASE/QUOTE). Messages name the field. */
export const addMarketSchema = z.object({
  connectionId: connectionIdSchema,
  stream: z
    .string({ error: 'Market is required.' })
    .trim()
    .min(1, 'Market is required.')
    .max(40, 'Market: at most 40 characters.')
    .regex(/^(trades:)?[A-Za-z0-9._-]{1,20}\/[A-Za-z0-9._-]{1,20}$/i, 'Market: write it as BASE/QUOTE, e.g. ETH/BTC.'),
});

export const historyProgressSchema = z.object({ connectionId: connectionIdSchema });

export type AddMarketInput = z.input<typeof addMarketSchema>;
