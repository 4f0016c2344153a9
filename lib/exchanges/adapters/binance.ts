import type { ExchangeAdapter } from './types';

// TODO: filled in by the binance work.
export const binanceAdapter: ExchangeAdapter = {
  id: 'binance',
  fetchBalances: () => Promise.reject(new Error('not implemented')),
  probePermissions: () => Promise.reject(new Error('not implemented')),
};
