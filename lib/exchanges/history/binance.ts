import type { HistoryStrategy } from './types';

/** Placeholder until the binance strategy lands: imports nothing. */
export const binanceHistory: HistoryStrategy = {
  exchangeId: 'binance',
  verified: false,
  completeHistory: false,
  limits: [],
  async streams() {
    return [];
  },
  async fetchPage(_client, request) {
    return { entries: [], cursor: request.cursor ?? {}, done: true };
  },
};
