/**
 * Headers every response carries, whatever serves it (pages, route handlers, static files). The
 * per-request Content-Security-Policy is added to pages by `proxy.ts`.
 */
export const RESPONSE_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  // No other site's window keeps a handle on ours (window.opener) or shares its browsing context group.
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/**
 * Sent only on responses to HTTPS requests: Next sets `x-forwarded-proto` from the connection unless a
 * proxy in front already did (the README asks a TLS-terminating proxy to). Over plain HTTP (development,
 * the tests) it would be ignored by browsers anyway, and must not pin `localhost` to HTTPS.
 * Two years, subdomains included: the value hstspreload.org asks for.
 */
export const STRICT_TRANSPORT_SECURITY = {
  key: 'Strict-Transport-Security',
  value: 'max-age=63072000; includeSubDomains',
};

/** Matches `x-forwarded-proto` when the client's side of the connection was HTTPS (the first entry, if a list). */
export const HTTPS_FORWARDED_PROTO = 'https(?:\\s*,.*)?';
