import { describe, expect, it } from 'vitest';
import { exchangeCatalog, type ExchangeCatalogEntry } from '@/lib/exchanges/catalog';
import { rankExchanges } from './exchange-search';

const entry = (id: string, name: string, verified = false): ExchangeCatalogEntry => ({
  id,
  name,
  verified,
  sandbox: false,
  credentialFields: ['apiKey', 'secret'],
});

const ids = (query: string, entries: readonly ExchangeCatalogEntry[] = exchangeCatalog) =>
  rankExchanges(query, entries).map((found) => found.id);

describe('rankExchanges', () => {
  it('matches nothing for letters that only appear scattered (cmdk’s fuzzy filter found Zaif and Zebpay for "zzzz")', () => {
    expect(ids('zzzz')).toEqual([]);
    expect(ids('zaif')).toContain('zaif');
  });

  it('ranks an exact name, then a prefix, then a word prefix, then a substring', () => {
    const entries = [
      entry('bitcoinex', 'Super Coinex'), // substring of the id and a word of the name
      entry('okcoin', 'OKCoin'), // substring only
      entry('coinexpro', 'CoinEx Pro'), // prefix
      entry('coinex', 'CoinEx'), // exact
    ];
    expect(ids('coinex', entries)).toEqual(['coinex', 'coinexpro', 'bitcoinex']);
    expect(ids('coin', entries)).toEqual(['coinexpro', 'coinex', 'bitcoinex', 'okcoin']);
  });

  it('puts verified exchanges first within a rank, and is case and space insensitive', () => {
    const entries = [entry('kucoinfutures', 'KuCoin Futures'), entry('kucoin', 'KuCoin', true)];
    expect(ids('  KU ', entries)).toEqual(['kucoin', 'kucoinfutures']);
    expect(ids('futures', entries)).toEqual(['kucoinfutures']);
  });

  it('finds the verified exchanges by their names in the real catalog, first', () => {
    expect(ids('bin')[0]).toBe('binance');
    expect(ids('kra')[0]).toBe('kraken');
    expect(ids('coinbase')[0]).toBe('coinbase');
    // A word inside the name: "US" in "Binance US".
    expect(ids('us')).toContain('binanceus');
  });

  it('lists everything for an empty query', () => {
    expect(ids('  ')).toHaveLength(exchangeCatalog.length);
  });
});
