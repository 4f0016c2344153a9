import 'server-only';
import { headers } from 'next/headers';

const FALLBACK = 'en-US';

/** The first locale of Accept-Language that Intl supports here (q-values ignored beyond their order), else en-US. */
export function pickLocale(acceptLanguage: string | null): string {
  if (!acceptLanguage) return FALLBACK;
  const tags = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter(({ tag, q }) => tag && tag !== '*' && q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // Not a well-formed language tag: try the next one.
    }
  }
  return FALLBACK;
}

/** The locale of the current request, for formatting money the same way on the server and in the browser. */
export async function requestLocale(): Promise<string> {
  return pickLocale((await headers()).get('accept-language'));
}
