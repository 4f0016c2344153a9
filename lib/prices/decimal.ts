import Decimal from 'decimal.js';

/**
 * Decimal arithmetic for prices and values: exchanges and PostgreSQL send decimal strings, and floats
 * would lose digits. 60 significant digits hold any product of an amount and a price exactly.
 */
export const Dec = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });
export type Dec = InstanceType<typeof Dec>;

/** Places kept after a division (a conversion, a share), where the exact result may not end. */
export const DIVISION_PLACES = 18;

/** A plain decimal string ("0.00000001", never "1e-8"), without trailing zeros. */
export function plain(value: Dec): string {
  return value.toFixed();
}

/** `a / b` cut to DIVISION_PLACES, as a plain string. */
export function divide(a: Dec | string, b: Dec | string): string {
  return new Dec(a).div(b).toDecimalPlaces(DIVISION_PLACES).toFixed();
}
