import type { SimExchange } from '../types';
import { binance } from './binance';
import { coinbase } from './coinbase';
import { kraken } from './kraken';
import { kucoin } from './kucoin';

export const simulatedExchanges: SimExchange[] = [binance, coinbase, kraken, kucoin];
