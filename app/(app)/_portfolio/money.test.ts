import { formatAmount } from '../_components/amount';
import { describe, expect, it } from 'vitest';
import { formatChange, formatMoney, formatPrice, formatShare } from './money';

describe('money formatting', () => {
  it('formats exactly from the decimal string, in the locale, rounding only for display', () => {
    expect(formatMoney('12345678901234567.125', 'USD', 'en-US')).toBe('$12,345,678,901,234,567.13');
    expect(formatMoney('1234.5', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatMoney('1234.5', 'JPY', 'en-US')).toBe('¥1,235');
    expect(formatMoney('-3', 'GBP', 'en-GB')).toBe('-£3.00');
  });
  it('keeps small prices readable', () => {
    expect(formatPrice('0.00001234', 'USD', 'en-US')).toBe('$0.00001234');
    expect(formatPrice('64000', 'USD', 'en-US')).toBe('$64,000.00');
  });
  it('signs changes and formats shares', () => {
    expect(formatChange('-0.0123', 'en-US')).toBe('-1.23%');
    expect(formatChange('0.5', 'en-US')).toBe('+50%');
    expect(formatChange('0', 'en-US')).toBe('0%');
    expect(formatShare('0.4567', 'en-US')).toBe('45.7%');
  });
  it('truncates quantities, never rounding up what is held', () => {
    expect(formatAmount('0.999999999', 'en-US')).toBe('0.99999999');
  });
});
