import Decimal from 'decimal.js';

// Exact decimal arithmetic for amounts: exchanges send strings, and floats would lose digits.
const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

/** A plain decimal string ("0.00000001", never "1e-8"); empty or invalid input counts as 0. */
export function toDecimalString(value: unknown): string {
  if (value === null || value === undefined || value === '') return '0';
  try {
    const d = new D(typeof value === 'number' ? value.toString() : String(value));
    return d.isFinite() ? d.toFixed() : '0';
  } catch {
    return '0';
  }
}

export function addDecimals(...values: unknown[]): string {
  return values.reduce<Decimal>((sum, v) => sum.plus(toDecimalString(v)), new D(0)).toFixed();
}

export function subtractDecimals(from: unknown, amount: unknown): string {
  return new D(toDecimalString(from)).minus(toDecimalString(amount)).toFixed();
}

// A plain decimal string of zeros ("0", "-0.000"): decided without building a Decimal, which counts
// when a sync checks thousands of rows.
const PLAIN_ZERO = /^-?0+(\.0+)?$/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

export function isZero(value: string): boolean {
  if (PLAIN_ZERO.test(value)) return true;
  if (PLAIN_DECIMAL.test(value)) return false;
  return new D(value).isZero();
}
