'use client';

import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { DEFAULT_LOCALE, TIME_ZONE_COOKIE } from './negotiate';
import type { RequestLocale } from './request-locale';

const LocaleContext = createContext<RequestLocale>({ locale: DEFAULT_LOCALE, timeZone: null });

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const noSubscription = () => () => {};

/**
 * Gives every client component the locale the server rendered with, so the hydration pass formats the
 * very same digits. It also tells the server the browser's time zone (a cookie) for the next page.
 */
export function LocaleProvider({ value, children }: { value: RequestLocale; children: ReactNode }) {
  useEffect(() => {
    const zone = browserTimeZone();
    if (zone && zone !== value.timeZone) {
      document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    }
  }, [value.timeZone]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

/** The locale numbers and dates are formatted in (from the request's Accept-Language). */
export function useLocale(): string {
  return useContext(LocaleContext).locale;
}

/**
 * The time zone to show local times in: the one the server rendered with while hydrating (null when the
 * browser has not told it yet), the browser's own afterwards. Equal after the first page, so no flash.
 */
export function useTimeZone(): string | null {
  const rendered = useContext(LocaleContext).timeZone;
  return useSyncExternalStore(noSubscription, browserTimeZone, () => rendered);
}
