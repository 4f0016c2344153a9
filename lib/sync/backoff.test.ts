import { describe, expect, it } from 'vitest';
import { MAX_BACKOFF_SECONDS, backoffSeconds } from './backoff';

describe('backoffSeconds', () => {
  it('is the interval before any failure, and doubles per consecutive failure', () => {
    expect(backoffSeconds(300, 0)).toBe(300);
    expect(backoffSeconds(300, 1)).toBe(600);
    expect(backoffSeconds(300, 2)).toBe(1200);
    expect(backoffSeconds(300, 5)).toBe(9600);
  });

  it('caps at 24 hours, also for huge failure counts and the longest interval', () => {
    expect(MAX_BACKOFF_SECONDS).toBe(86_400);
    expect(backoffSeconds(300, 9)).toBe(86_400); // 300 × 512 = 153,600
    expect(backoffSeconds(300, 1_000_000)).toBe(86_400);
    expect(backoffSeconds(86_400, 0)).toBe(86_400);
    expect(backoffSeconds(86_400, 3)).toBe(86_400);
  });

  it('treats a negative or fractional count as whole failures', () => {
    expect(backoffSeconds(60, -3)).toBe(60);
    expect(backoffSeconds(60, 1.7)).toBe(120);
  });
});
