import type { SimExchange } from '../types';

// TODO: filled in by the binance work.
export const binance: SimExchange = {
  id: 'binance',
  hosts: [],
  claimedKey: () => null,
  handle: () => ({ response: { status: 404, body: { error: 'not implemented' } }, verified: null }),
};
