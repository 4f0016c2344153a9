import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, newNonce } from './content-security-policy';

const directives = (policy: string) =>
  Object.fromEntries(policy.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]));

describe('content security policy', () => {
  it('lets scripts run only with the nonce (or loaded by one), never inline or evaluated in production', () => {
    const policy = directives(contentSecurityPolicy({ nonce: 'abc123', development: false }));
    expect(policy['script-src']).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'none'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['default-src']).toEqual(["'self'"]);
    // 'unsafe-inline' next to a nonce would be ignored by browsers; styles must not carry the nonce for it to work.
    expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("adds 'unsafe-eval' for React's development tooling only", () => {
    const policy = directives(contentSecurityPolicy({ nonce: 'abc123', development: true }));
    expect(policy['script-src']).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'", "'unsafe-eval'"]);
  });

  it('makes a different 128-bit nonce each time', () => {
    const nonces = Array.from({ length: 100 }, newNonce);
    expect(new Set(nonces).size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});
