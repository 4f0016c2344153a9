import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE, negotiateLocale, validTimeZone } from './negotiate';

describe('negotiateLocale', () => {
  it('takes the first language by quality that Intl can format', () => {
    expect(negotiateLocale('de-DE,de;q=0.9,en;q=0.8')).toBe('de-DE');
    expect(negotiateLocale('en;q=0.5, fr-CH;q=0.9, de;q=0.7')).toBe('fr-CH');
    expect(negotiateLocale('de-at')).toBe('de-AT');
  });

  it('falls back to en-US for nothing, a wildcard, refused or malformed tags', () => {
    expect(negotiateLocale(null)).toBe(DEFAULT_LOCALE);
    expect(negotiateLocale('')).toBe(DEFAULT_LOCALE);
    expect(negotiateLocale('*')).toBe(DEFAULT_LOCALE);
    expect(negotiateLocale('de;q=0')).toBe(DEFAULT_LOCALE);
    expect(negotiateLocale('not a tag!!, <script>')).toBe(DEFAULT_LOCALE);
    expect(negotiateLocale(`${'x'.repeat(5_000)},de`)).toBe(DEFAULT_LOCALE);
  });

  it('skips a malformed tag for the next good one', () => {
    expect(negotiateLocale('@@@, nl-NL;q=0.8')).toBe('nl-NL');
  });
});

describe('validTimeZone', () => {
  it('accepts IANA zones and refuses anything else', () => {
    expect(validTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(validTimeZone('UTC')).toBe('UTC');
    expect(validTimeZone('Mars/Olympus')).toBeNull();
    expect(validTimeZone('')).toBeNull();
    expect(validTimeZone(undefined)).toBeNull();
    expect(validTimeZone('A'.repeat(100))).toBeNull();
  });
});
