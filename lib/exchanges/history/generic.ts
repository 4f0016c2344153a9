import type { HistoryStrategy } from './types';

/** Placeholder until the generic strategy lands: imports nothing. */
export function genericHistory(exchangeId: string): HistoryStrategy {
  return {
    exchangeId,
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
}
