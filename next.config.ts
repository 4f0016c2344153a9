import type { NextConfig } from 'next';
import {
  HTTPS_FORWARDED_PROTO,
  RESPONSE_HEADERS,
  STRICT_TRANSPORT_SECURITY,
} from './lib/security-headers/response-headers';

const nextConfig: NextConfig = {
  // Native or heavy server packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres', 'ccxt', 'rate-limiter-flexible'],
  poweredByHeader: false,
  logging: {
    // `next dev` would print every server action call with its arguments: passwords, API secrets, PEM keys.
    serverFunctions: false,
    // Browser console output stays in the browser.
    browserToTerminal: false,
  },
  typedRoutes: true,
  async headers() {
    return [
      { source: '/:path*', headers: RESPONSE_HEADERS },
      {
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: HTTPS_FORWARDED_PROTO }],
        headers: [STRICT_TRANSPORT_SECURITY],
      },
    ];
  },
};

export default nextConfig;
