import { describe, expect, it } from 'vitest';
import { defaultLabel } from './default-label';

describe('defaultLabel', () => {
  it('uses the exchange name first, then numbers the next ones from 2', () => {
    expect(defaultLabel('Binance', [])).toBe('Binance');
    expect(defaultLabel('Binance', ['Kraken'])).toBe('Binance');
    expect(defaultLabel('Binance', ['Binance'])).toBe('Binance 2');
    expect(defaultLabel('Binance', ['Binance', 'Binance 2'])).toBe('Binance 3');
  });

  it('fills the first free number and ignores case and spacing', () => {
    expect(defaultLabel('Binance', ['binance ', 'Binance 3'])).toBe('Binance 2');
    expect(defaultLabel('KuCoin', ['KUCOIN', 'kucoin 2'])).toBe('KuCoin 3');
  });
});
