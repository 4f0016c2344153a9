import 'server-only';
import { binanceHistory } from './binance';
import { coinbaseHistory } from './coinbase';
import { genericHistory } from './generic';
import { krakenHistory } from './kraken';
import { kucoinHistory } from './kucoin';
import type { HistoryStrategy } from './types';

const verified: Record<string, HistoryStrategy> = {
  binance: binanceHistory,
  coinbase: coinbaseHistory,
  kraken: krakenHistory,
  kucoin: kucoinHistory,
};

/** The history strategy for an exchange: a verified one, or best effort through ccxt's unified methods. */
export function historyStrategyFor(exchangeId: string): HistoryStrategy {
  return verified[exchangeId] ?? genericHistory(exchangeId);
}

export type { ActivityEntry, HistoryPage, HistoryPageRequest, HistoryStrategy, StreamCursor } from './types';
