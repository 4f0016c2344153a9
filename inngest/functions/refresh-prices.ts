import { cron } from 'inngest';
import { inngest } from '@/lib/jobs/client';
import { exchangePricesRefreshRequested } from '@/lib/jobs/price-events';
import { exchangesToRefresh, refreshExchangePrices } from '@/lib/prices/refresh';

/** Reasons kept in a run's output: enough to see why, bounded so the run's state stays small. */
const MAX_REASONS = 20;

/**
 * Every minute, one refresh per exchange with at least one connection that syncs: prices are public
 * data, so the cost grows with the number of exchanges, not of connections. The event ids carry this
 * run's id, so a retried send starts each exchange's refresh once.
 */
export const refreshPrices = inngest.createFunction(
  {
    id: 'refresh-prices',
    triggers: [cron('* * * * *')],
    singleton: { mode: 'skip' },
  },
  async ({ step, runId }) => {
    const exchanges = await step.run('list-exchanges', () => exchangesToRefresh());
    if (exchanges.length > 0) {
      await step.run('send-refreshes', async () => {
        await inngest.send(
          exchanges.map((exchangeId) =>
            exchangePricesRefreshRequested.create({ exchangeId }, { id: `prices-${exchangeId}-${runId}` }),
          ),
        );
        return { sent: exchanges.length };
      });
    }
    return { exchanges: exchanges.length };
  },
);

/**
 * One exchange's refresh, one at a time per exchange. Not retried: a failed ticker request leaves
 * the last good prices, and the next minute's run tries again.
 */
export const refreshExchangePricesFunction = inngest.createFunction(
  {
    id: 'refresh-exchange-prices',
    triggers: [exchangePricesRefreshRequested],
    concurrency: { key: 'event.data.exchangeId', limit: 1 },
    retries: 0,
  },
  async ({ event, step }) =>
    step.run('refresh', async () => {
      const result = await refreshExchangePrices(event.data.exchangeId);
      return { ...result, rejected: result.rejected.slice(0, MAX_REASONS) };
    }),
);
