import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { clearSharedMarkets } from '@/lib/exchanges/client';

/**
 * Starts the exchange simulator for this test file and points the exchange layer at it through
 * EXCHANGE_API_OVERRIDE, exactly as a person would; `use` receives the running simulator.
 */
export function withSimulator(use: (simulator: ExchangeSimulator) => void): void {
  let simulator: ExchangeSimulator | undefined;
  beforeAll(async () => {
    simulator = await startSimulator();
    process.env.EXCHANGE_API_OVERRIDE = simulator.url;
    clearSharedMarkets();
    use(simulator);
  });
  afterAll(async () => {
    delete process.env.EXCHANGE_API_OVERRIDE;
    clearSharedMarkets();
    await simulator?.close();
  });
}
