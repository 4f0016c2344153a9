import type { SimExchange } from '../types';

// TODO: filled in by the kucoin work.
export const kucoin: SimExchange = {
  id: 'kucoin',
  hosts: [],
  claimedKey: () => null,
  handle: () => ({ response: { status: 404, body: { error: 'not implemented' } }, verified: null }),
};
