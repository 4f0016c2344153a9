import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { clearSharedMarkets } from '@/lib/exchanges/client';

/**
 * What a test file's history imports may spend against the simulator: the per-exchange tests walk
 * whole histories (a Binance backfill to 2017 is ~200 requests) many times a minute, and measure the
 * requests themselves. The installation's history budget (120 a minute by default) is tested on its
 * own (lib/limits/history-budget.db.test.ts); a file that sets its own keeps it.
 */
const SIMULATED_HISTORY_BUDGET = '1000000/60';

/**
 * Starts the exchange simulator for this test file and points the exchange layer at it through
 * EXCHANGE_API_OVERRIDE, exactly as a person would; `use` receives the running simulator.
 */
export function withSimulator(use: (simulator: ExchangeSimulator) => void): void {
  let simulator: ExchangeSimulator | undefined;
  let setBudget = false;
  beforeAll(async () => {
    simulator = await startSimulator();
    process.env.EXCHANGE_API_OVERRIDE = simulator.url;
    setBudget = process.env.EXCHANGE_HISTORY_BUDGET_DEFAULT === undefined;
    if (setBudget) process.env.EXCHANGE_HISTORY_BUDGET_DEFAULT = SIMULATED_HISTORY_BUDGET;
    clearSharedMarkets();
    use(simulator);
  });
  afterAll(async () => {
    delete process.env.EXCHANGE_API_OVERRIDE;
    if (setBudget) delete process.env.EXCHANGE_HISTORY_BUDGET_DEFAULT;
    clearSharedMarkets();
    await simulator?.close();
  });
}
