import { binanceAdapter } from './binance';
import { coinbaseAdapter } from './coinbase';
import { krakenAdapter } from './kraken';
import { kucoinAdapter } from './kucoin';
import type { ExchangeAdapter } from './types';

export const adapters: Record<string, ExchangeAdapter | undefined> = {
  binance: binanceAdapter,
  coinbase: coinbaseAdapter,
  kraken: krakenAdapter,
  kucoin: kucoinAdapter,
};
