/**
 * The client's address as seen by the nearest hop. Next.js fills `x-forwarded-for` with the socket
 * address only when the header is absent, so behind a reverse proxy that proxy must overwrite it
 * (nginx: `proxy_set_header X-Forwarded-For $remote_addr`). TRUSTED_PROXY_HOPS counts proxies that
 * append instead, so the entry they added is the one read.
 */
export function clientIp(headers: Headers): string {
  const hops = Math.max(0, Number.parseInt(process.env.TRUSTED_PROXY_HOPS ?? '0', 10) || 0);
  const chain = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return chain[chain.length - 1 - hops] ?? headers.get('x-real-ip') ?? 'unknown';
}
