import { eventType } from 'inngest';
import { z } from 'zod';

/** Refresh one exchange's prices (public tickers): carries the exchange id only. */
export const exchangePricesRefreshRequested = eventType('prices/exchange.refresh.requested', {
  schema: z.object({ exchangeId: z.string() }).strict(),
});
