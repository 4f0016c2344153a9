import type { Exchange, MarketInterface } from 'ccxt';

/**
 * Binance answers trade history one symbol at a time and has no ledger to say which symbols an
 * account traded, so the markets to read are derived: every asset ever seen (balances, deposits,
 * withdrawals, converts, dust, and the other side and fee of trades already read) crossed with the
 * quote assets Binance lists, keeping the markets that exist. Delisted markets stay in Binance's
 * exchangeInfo (status BREAK) and still answer myTrades, so inactive markets are kept too.
 */

export const TRADES_PREFIX = 'trades:';

export function tradesStream(symbol: string): string {
  return `${TRADES_PREFIX}${symbol}`;
}

/** A stream the user may add by hand: 'trades:ETH/BTC'. */
export function isTradesStream(stream: string): boolean {
  return /^trades:[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(stream);
}

function spotMarkets(client: Exchange): MarketInterface[] {
  const markets: MarketInterface[] = [];
  for (const market of Object.values(client.markets ?? {})) if (market?.spot === true) markets.push(market);
  return markets;
}

/** Every quote asset of Binance's spot markets (USDT, BTC, BNB, EUR, TRY …). */
function quoteAssets(client: Exchange): string[] {
  const quotes = new Set<string>();
  for (const market of spotMarkets(client)) if (market.quote) quotes.add(market.quote);
  return [...quotes].sort();
}

/** The trade streams of the markets whose base is one of `assets`, sorted. */
export function tradeStreamsFor(client: Exchange, assets: Iterable<string>): string[] {
  const quotes = quoteAssets(client);
  const streams = new Set<string>();
  for (const asset of assets) {
    for (const quote of quotes) {
      const market = client.markets?.[`${asset}/${quote}`];
      if (market?.spot) streams.add(tradesStream(market.symbol));
    }
  }
  return [...streams].sort();
}
