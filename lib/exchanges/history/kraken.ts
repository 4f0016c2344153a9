import type { HistoryStrategy } from './types';

/** Placeholder until the kraken strategy lands: imports nothing. */
export const krakenHistory: HistoryStrategy = {
  exchangeId: 'kraken',
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
