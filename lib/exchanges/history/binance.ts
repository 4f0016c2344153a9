import type { Exchange } from 'ccxt';
import { isTradesStream, TRADES_PREFIX, tradeStreamsFor } from './binance/markets';
import { assetsOf } from './binance/normalise';
import { convertsPage, depositsPage, dustPage, tradesPage, withdrawalsPage } from './binance/streams';
import type { HistoryPage, HistoryPageRequest, HistoryStrategy } from './types';

/** Streams every Binance account has; trade streams ('trades:ETH/BTC') are derived from assets seen. */
export const BINANCE_FIXED_STREAMS = ['deposits', 'withdrawals', 'converts', 'dust'] as const;

async function readPage(client: Exchange, request: HistoryPageRequest): Promise<HistoryPage> {
  const { stream } = request;
  if (stream.startsWith(TRADES_PREFIX)) return tradesPage(client, stream.slice(TRADES_PREFIX.length), request);
  switch (stream) {
    case 'deposits':
      return depositsPage(client, request);
    case 'withdrawals':
      return withdrawalsPage(client, request);
    case 'converts':
      return convertsPage(client, request);
    case 'dust':
      return dustPage(client);
    default:
      throw new Error(`Binance has no history stream "${stream}".`);
  }
}

/**
 * Binance: no spot ledger. Deposits and withdrawals in 90-day windows and converts in 30-day
 * windows back to Binance's launch, the dust log, and trades market by market for every market
 * whose base asset the account has held: its balances, then every asset a page shows (the markets
 * of a deposit's coin, a convert's two sides, a trade's quote and fee asset), reported as
 * discovered streams. A market nothing reveals can be added by hand.
 */
export const binanceHistory: HistoryStrategy = {
  exchangeId: 'binance',
  verified: true,
  completeHistory: false,
  limits: [
    'Binance has no account ledger: trades are read market by market, for every market of an asset seen in your balances, deposits, withdrawals, converts or other trades. A market traded only with assets none of these show is missed — add it by hand (e.g. trades:ETH/BTC).',
    'Binance answers deposit and withdrawal history 90 days per request and convert history 30 days per request, and documents no limit on how far back they go; Coinsphere reads them back to Binance’s launch in July 2017.',
    'Binance’s dust log returns only your last 100 dust conversions to BNB, and none before 1 December 2020.',
    'Not imported: fiat deposits and withdrawals (card, bank), Binance Pay, P2P, Earn and staking rewards, airdrops and distributions, margin and futures, and transfers between your Binance wallets — balances that came from these are not explained by the history.',
  ],

  async streams(client, request) {
    await client.loadMarkets();
    return [...BINANCE_FIXED_STREAMS, ...tradeStreamsFor(client, request.assets)];
  },

  async fetchPage(client, request) {
    const page = await readPage(client, request);
    const assets = assetsOf(page.entries);
    if (assets.length === 0) return page;
    await client.loadMarkets();
    const discovered = tradeStreamsFor(client, assets).filter((stream) => stream !== request.stream);
    return discovered.length > 0 ? { ...page, discoveredStreams: discovered } : page;
  },

  acceptsManualStream(stream) {
    return isTradesStream(stream);
  },
};
