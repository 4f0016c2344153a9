import { describe, expect, it } from 'vitest';
import { candidateSymbols, priceAssets } from './pricing';

describe('priceAssets', () => {
  it('takes ASSET/USD, then /USDT, then /USDC, then USD/ASSET inverted, then ASSET/BTC × BTC', () => {
    const { priced, rejected } = priceAssets(
      {
        'AAA/USD': '2',
        'AAA/USDT': '3',
        'BBB/USDT': '0.1',
        'BBB/USDC': '9',
        'CCC/USDC': '4.5',
        'USD/JPY': '160',
        'BTC/USDC': '60000',
        'DDD/BTC': '0.00000003',
      },
      ['AAA', 'BBB', 'CCC', 'JPY', 'DDD', 'USDT', 'USD', 'EEE'],
    );
    expect(priced).toEqual([
      { asset: 'AAA', usd: '2', pair: 'AAA/USD' },
      { asset: 'BBB', usd: '0.1', pair: 'BBB/USDT' },
      { asset: 'CCC', usd: '4.5', pair: 'CCC/USDC' },
      { asset: 'JPY', usd: '0.00625', pair: 'USD/JPY' },
      // 0.00000003 × 60000 in floats is 0.0018000000000000002.
      { asset: 'DDD', usd: '0.0018', pair: 'DDD/BTC × BTC/USDC' },
    ]);
    expect(rejected).toEqual([]);
  });

  it('passes over an unusable market and reports an asset left without a price', () => {
    const { priced, rejected } = priceAssets(
      { 'AAA/USD': 0, 'AAA/USDT': '5', 'BBB/USD': 'abc', 'CCC/USD': -1, 'DDD/BTC': '0.1', 'EEE/USD': null },
      ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'],
    );
    expect(priced).toEqual([{ asset: 'AAA', usd: '5', pair: 'AAA/USDT' }]);
    expect(rejected).toEqual([
      { asset: 'BBB', reason: 'BBB/USD price is not a number' },
      { asset: 'CCC', reason: 'CCC/USD price is -1, not above 0' },
      { asset: 'DDD', reason: 'DDD/BTC has no BTC price to multiply by' },
      { asset: 'EEE', reason: 'EEE/USD has no last price' },
    ]);
  });

  it('asks for the markets of each asset and of BTC and the display currencies, never of USD stablecoins', () => {
    const symbols = candidateSymbols(['SOL', 'USDT', 'BTC']);
    expect(symbols).toEqual(
      expect.arrayContaining(['SOL/USD', 'SOL/USDT', 'SOL/USDC', 'SOL/BTC', 'BTC/USD', 'EUR/USD', 'USD/JPY', 'USD/CHF']),
    );
    expect(symbols.filter((symbol) => symbol.startsWith('USDT/'))).toEqual([]);
    expect(symbols).not.toContain('BTC/BTC');
  });
});
