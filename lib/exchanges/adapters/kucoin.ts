import type { ExchangeAdapter } from './types';

// TODO: filled in by the kucoin work.
export const kucoinAdapter: ExchangeAdapter = {
  id: 'kucoin',
  fetchBalances: () => Promise.reject(new Error('not implemented')),
  probePermissions: () => Promise.reject(new Error('not implemented')),
};
