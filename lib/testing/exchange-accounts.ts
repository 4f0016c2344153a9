import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimAccount, SimExchangeId } from '@/lib/testing/exchange-simulator/types';
import type { ExchangeCredentials } from '@/lib/vault/credentials';

export const SIMULATED_EXCHANGES: readonly SimExchangeId[] = ['binance', 'coinbase', 'kraken', 'kucoin'];

/** Two balances of the same holdings, amounts as decimal strings, spread over each exchange's own wallets. */
export type Holdings = 'before' | 'after';

const AMOUNTS: Record<Holdings, Amounts> = {
  before: { btc: '1.5', eth: '2.25', usdt: '250.5' },
  after: { btc: '0.75', eth: '3', usdt: '99.99' },
};

export interface Amounts {
  btc: string;
  eth: string;
  usdt: string;
}

/** The account's wallets as the simulated exchange writes them (Kraken's own asset codes, KuCoin's account types). */
export function simWallets(exchange: SimExchangeId, holdings: Holdings | Amounts): SimAccount['wallets'] {
  const { btc, eth, usdt } = typeof holdings === 'string' ? AMOUNTS[holdings] : holdings;
  const held = (free: string) => ({ free, used: '0' });
  switch (exchange) {
    case 'binance':
      return { spot: { BTC: held(btc), ETH: held(eth) }, funding: { USDT: held(usdt) } };
    case 'kraken':
      return { spot: { XXBT: held(btc), XETH: held(eth), USDT: held(usdt) } };
    case 'kucoin':
      return { trade: { BTC: held(btc), ETH: held(eth) }, main: { USDT: held(usdt) } };
    case 'coinbase':
      return { spot: { BTC: held(btc), ETH: held(eth), USDT: held(usdt) } };
  }
}

let coinbaseKey: string | undefined;

/**
 * A new account on the simulated exchange with `holdings`, and the credentials the connect form would
 * store for it (Coinbase: a CDP key name and an EC private key; KuCoin: a passphrase).
 */
export function addSimAccount(
  sim: ExchangeSimulator,
  exchange: SimExchangeId,
  holdings: Holdings | Amounts = 'before',
): { apiKey: string; credentials: ExchangeCredentials } {
  const id = randomBytes(10).toString('hex');
  let apiKey = `${exchange}-${id}`;
  let secret = randomBytes(24).toString('hex');
  let password: string | undefined;
  if (exchange === 'kraken') secret = randomBytes(64).toString('base64');
  if (exchange === 'kucoin') password = `pass-${id}`;
  if (exchange === 'coinbase') {
    apiKey = `organizations/sim/apiKeys/${id}`;
    // One EC key for the file: generating one costs milliseconds, and the key name tells accounts apart.
    coinbaseKey ??= coinbasePrivateKey();
    secret = coinbaseKey;
  }
  sim.addAccount({ exchange, apiKey, secret, passphrase: password, wallets: simWallets(exchange, holdings) });
  return { apiKey, credentials: { apiKey, secret, ...(password && { password }) } };
}

/** A new EC P-256 private key in SEC1 PEM, the kind Coinbase's CDP keys carry. */
export function coinbasePrivateKey(): string {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}
