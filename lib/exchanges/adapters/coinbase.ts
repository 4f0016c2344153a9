import type { ExchangeAdapter } from './types';

// TODO: filled in by the coinbase work.
export const coinbaseAdapter: ExchangeAdapter = {
  id: 'coinbase',
  fetchBalances: () => Promise.reject(new Error('not implemented')),
  probePermissions: () => Promise.reject(new Error('not implemented')),
};
