import type { HistoryStrategy } from './types';

/** Placeholder until the coinbase strategy lands: imports nothing. */
export const coinbaseHistory: HistoryStrategy = {
  exchangeId: 'coinbase',
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
