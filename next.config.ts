import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native or heavy server packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres', 'ccxt'],
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
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
