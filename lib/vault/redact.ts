/**
 * Removes secrets from text before it is logged, stored (a connection's last error) or shown.
 * Every error path uses it. ccxt error messages carry signed URLs (Binance: the whole signed query;
 * HTX: the api key as AccessKeyId), verbose logs carry auth headers, and some exchanges echo keys.
 */

export const REDACTED = '[redacted]';

const MAX_LENGTH = 1000;

// Query-string and form parameters that authenticate a request or make a signed URL replayable.
const SIGNED_PARAMS =
  /\b(signature|sign|accesskeyid|api[_-]?key|apikey|secret|passphrase|password|token|timestamp|recvwindow|nonce|signaturemethod|signatureversion|x-amz-[a-z-]+)=[^&\s"'<>]*/gi;

// Header-like "name: value" or "name=value" pairs, also inside JSON dumps of request headers.
const AUTH_HEADERS =
  /\b(api-sign|api-key|kc-api-[a-z-]+|x-mbx-apikey|ok-access-[a-z-]+|cb-access-[a-z-]+|x-bapi-[a-z-]+|authorization)(['"]?\s*[:=]\s*['"]?)(bearer\s+)?[^"',\s}]+/gi;

const BEARER = /\bbearer\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// PEM blocks, whether their line breaks are real or escaped as "\n".
const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g;

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret can take inside an error message or a URL. */
function variants(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  // PEM keys are often pasted with escaped line breaks; match both spellings.
  if (secret.includes('\n')) forms.add(secret.replace(/\n/g, '\\n'));
  return [...forms].filter((form) => form.length >= 4);
}

export function redactSecrets(
  text: string,
  secrets: readonly (string | null | undefined)[] = [],
  maxLength = MAX_LENGTH,
): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.trim().length >= 4)
    .flatMap(variants)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.replace(new RegExp(escapeRegExp(secret), 'g'), REDACTED);
  out = out
    .replace(PEM, REDACTED)
    .replace(AUTH_HEADERS, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(SIGNED_PARAMS, (_m, name: string) => `${name}=${REDACTED}`);
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}

/** `Name: message` of any thrown value, redacted. Never pass the raw error object to a logger instead. */
export function safeErrorMessage(error: unknown, secrets: readonly (string | null | undefined)[] = []): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : 'Unknown error';
  return redactSecrets(text, secrets);
}
