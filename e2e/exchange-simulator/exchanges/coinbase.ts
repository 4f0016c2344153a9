import type { SimExchange } from '../types';

// TODO: filled in by the coinbase work.
export const coinbase: SimExchange = {
  id: 'coinbase',
  hosts: [],
  claimedKey: () => null,
  handle: () => ({ response: { status: 404, body: { error: 'not implemented' } }, verified: null }),
};
