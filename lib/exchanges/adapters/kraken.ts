import type { ExchangeAdapter } from './types';

// TODO: filled in by the kraken work.
export const krakenAdapter: ExchangeAdapter = {
  id: 'kraken',
  fetchBalances: () => Promise.reject(new Error('not implemented')),
  probePermissions: () => Promise.reject(new Error('not implemented')),
};
