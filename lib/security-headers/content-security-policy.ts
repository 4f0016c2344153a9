/**
 * The Content-Security-Policy of every page. Scripts run only when they carry this response's nonce
 * (Next puts it on its own scripts while rendering) or were loaded by a script that did
 * ('strict-dynamic'), so an injected `<script>` or inline handler does not run. Styles allow
 * 'unsafe-inline': Radix positions popovers with inline `style` attributes and sonner inserts its
 * `<style>` at run time, neither of which can carry a nonce (and a nonce in style-src would switch
 * 'unsafe-inline' off). A style cannot run code, so this leaves script injection closed.
 */
export function contentSecurityPolicy({ nonce, development }: { nonce: string; development: boolean }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // React's development build rebuilds server error stacks with eval; production never evaluates strings.
    'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'blob:', 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** A fresh nonce for one response: 128 random bits, base64 (what CSP expects between `'nonce-` and `'`). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
