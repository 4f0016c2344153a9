import { describe, expect, it } from 'vitest';
import { amountTitle, formatAmount } from './amount';

describe('formatAmount in the reader locale', () => {
  it('uses the locale separators and keeps every integer digit', () => {
    expect(formatAmount('0.5', 'de-DE')).toBe('0,5');
    expect(formatAmount('2505.5', 'de-DE')).toBe('2.505,5');
    expect(formatAmount('2505.5', 'en-US')).toBe('2,505.5');
    expect(formatAmount('2505.5')).toBe('2,505.5');
    expect(formatAmount('123456789012345678901.5', 'de-CH')).toBe("123'456'789'012'345'678'901.5");
  });

  it('cuts beyond 8 decimals toward zero, and the title gives every digit in the same locale', () => {
    expect(formatAmount('0.123456789', 'de-DE')).toBe('0,12345678');
    expect(amountTitle('0.123456789', 'de-DE')).toBe('0,123456789');
    expect(amountTitle('1234.1234567891', 'fr-FR')).toBe('1\u202f234,1234567891');
    expect(amountTitle('0.5', 'de-DE')).toBeUndefined();
  });

  it('leaves what is not a number as given', () => {
    expect(formatAmount('n/a', 'de-DE')).toBe('n/a');
    expect(amountTitle('n/a', 'de-DE')).toBeUndefined();
  });
});
