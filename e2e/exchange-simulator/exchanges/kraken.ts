import type { SimExchange } from '../types';

// TODO: filled in by the kraken work.
export const kraken: SimExchange = {
  id: 'kraken',
  hosts: [],
  claimedKey: () => null,
  handle: () => ({ response: { status: 404, body: { error: 'not implemented' } }, verified: null }),
};
