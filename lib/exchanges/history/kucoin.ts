import type { HistoryStrategy } from './types';

/** Placeholder until the kucoin strategy lands: imports nothing. */
export const kucoinHistory: HistoryStrategy = {
  exchangeId: 'kucoin',
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
