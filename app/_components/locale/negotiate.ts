// Which locale and time zone to format numbers and dates in. Pure, so the server (from the request) and
// the tests decide the same way.

/** The words stay English; only digits, separators and dates follow the reader's locale. */
export const DEFAULT_LOCALE = 'en-US';

/** The browser writes its IANA time zone here (LocaleProvider), so the server can render local times. */
export const TIME_ZONE_COOKIE = 'tz';

const MAX_HEADER_LENGTH = 1_000;

/**
 * The first language of an Accept-Language header that Intl can format, by quality ("de-CH,de;q=0.9" →
 * "de-CH"); en-US when none is. A malformed tag is skipped, never thrown on: the header is the client's.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): string {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranges = acceptLanguage
    .slice(0, MAX_HEADER_LENGTH)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
      return { tag: tag.trim(), quality: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ tag, quality }) => tag && tag !== '*' && Number.isFinite(quality) && quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { tag } of ranges) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // Not a well-formed language tag: try the next one.
    }
  }
  return DEFAULT_LOCALE;
}

/** The time zone if Intl knows it (a cookie is the client's to write), otherwise null. */
export function validTimeZone(value: string | null | undefined): string | null {
  if (!value || value.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
