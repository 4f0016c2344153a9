import type { DisplayCurrency } from '@/lib/valuation/types';
import { isDecimalString } from '../_components/amount';

// Money, prices and percentages for people, with Intl in the user's locale. The locale is decided on the server
// (Accept-Language) and passed down, so the server's HTML and the browser's first render are the same text.
// Intl formats a numeric string exactly (no parseFloat), so rounding happens once, for display only.

type Numeric = Intl.StringNumericLiteral;
const isNumeric = (value: string) => isDecimalString(value.trim());

const cache = new Map<string, Intl.NumberFormat>();
function formatter(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

/** "$1,234.56", "1.234,56 €", "¥12,346": the currency's own minor units. */
export function formatMoney(value: string, currency: DisplayCurrency, locale: string): string {
  if (!isNumeric(value)) return value;
  return formatter(locale, { style: 'currency', currency }).format(value.trim() as Numeric);
}

/** The exact value with every digit, for the disclosure and for screen readers ("1234.56789 USD"). */
export function exactMoney(value: string, currency: DisplayCurrency): string {
  return `${value} ${currency}`;
}

/**
 * A unit price: the currency's minor units for prices of 1 and more, up to 6 significant digits below that, so
 * 0.00001234 SHIB reads as "$0.00001234" and not "$0.00".
 */
export function formatPrice(value: string, currency: DisplayCurrency, locale: string): string {
  if (!isNumeric(value)) return value;
  const small = Math.abs(Number(value)) < 1; // Magnitude only, to choose a format; the digits come from the string.
  const options: Intl.NumberFormatOptions = small
    ? { style: 'currency', currency, maximumSignificantDigits: 6 }
    : { style: 'currency', currency };
  return formatter(locale, options).format(value.trim() as Numeric);
}

/** A fraction as a signed percentage: '-0.0123' → "−1.23%", '0.5' → "+50%". */
export function formatChange(fraction: string, locale: string): string {
  if (!isNumeric(fraction)) return fraction;
  return formatter(locale, { style: 'percent', maximumFractionDigits: 2, signDisplay: 'exceptZero' }).format(
    fraction.trim() as Numeric,
  );
}

/** A share of the total: '0.4567' → "45.7%". */
export function formatShare(fraction: string, locale: string): string {
  if (!isNumeric(fraction)) return fraction;
  return formatter(locale, { style: 'percent', maximumFractionDigits: 1 }).format(fraction.trim() as Numeric);
}

/** A money change with its sign: "+$12.30", "−€4.00". */
export function formatMoneyChange(value: string, currency: DisplayCurrency, locale: string): string {
  if (!isNumeric(value)) return value;
  return formatter(locale, { style: 'currency', currency, signDisplay: 'exceptZero' }).format(value.trim() as Numeric);
}

export const isNegative = (value: string) => value.trim().startsWith('-');
