import { afterEach, describe, expect, it } from 'vitest';
import { clientIp } from './client-ip';

describe('clientIp', () => {
  afterEach(() => {
    delete process.env.TRUSTED_PROXY_HOPS;
  });

  it('reads the entry added by the nearest hop, not one the client wrote', () => {
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }))).toBe('203.0.113.7');
  });

  it('skips as many appending proxies as configured', () => {
    process.env.TRUSTED_PROXY_HOPS = '1';
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2' }))).toBe('203.0.113.7');
  });

  it('falls back to "unknown" without headers', () => {
    expect(clientIp(new Headers())).toBe('unknown');
  });
});
