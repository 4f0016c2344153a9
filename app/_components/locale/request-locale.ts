import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { negotiateLocale, TIME_ZONE_COOKIE, validTimeZone } from './negotiate';

export interface RequestLocale {
  locale: string;
  /** The browser's time zone once it has told us (cookie); null on a first visit. */
  timeZone: string | null;
}

/** The locale this request's page is formatted in, the same for the server render and the hydration pass. */
export const requestLocale = cache(async (): Promise<RequestLocale> => {
  const [headerList, cookieStore] = await Promise.all([headers(), cookies()]);
  return {
    locale: negotiateLocale(headerList.get('accept-language')),
    timeZone: validTimeZone(cookieStore.get(TIME_ZONE_COOKIE)?.value),
  };
});
