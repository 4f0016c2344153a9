import Decimal from 'decimal.js';
import { MalformedResponseError } from '../../malformed';

/** Reading Coinbase's raw history answers: every amount is a decimal string, every time RFC 3339. */

export const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

const DECIMAL = /^-?\d+(\.\d+)?$/;

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function malformed(what: string, detail: string): MalformedResponseError {
  return new MalformedResponseError(`The exchange sent an unreadable answer for ${what} (${detail}).`);
}

/** A decimal string field, exactly; anything else is a broken answer. */
export function decimalField(record: Raw, field: string, what: string): Decimal {
  const value = record[field];
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) throw malformed(what, `${field} is not an amount`);
  return new D(value.trim());
}

export function stringField(record: Raw, field: string, what: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '') throw malformed(what, `no ${field}`);
  return value;
}

export function timeField(record: Raw, field: string, what: string): Date {
  const ms = Date.parse(stringField(record, field, what));
  if (Number.isNaN(ms)) throw malformed(what, `${field} is not a time`);
  return new Date(ms);
}

/** The later of two RFC 3339 times (either may be null), compared as instants. */
export function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export function earlierTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}
