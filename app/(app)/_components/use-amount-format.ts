'use client';

import { useMemo } from 'react';
import { useLocale } from '@/app/_components/locale/locale-provider';
import { amountTitle, formatAmount } from './amount';

/** `formatAmount` and `amountTitle` in the page's locale, for client components. */
export function useAmountFormat() {
  const locale = useLocale();
  return useMemo(
    () => ({
      formatAmount: (value: string) => formatAmount(value, locale),
      amountTitle: (value: string) => amountTitle(value, locale),
    }),
    [locale],
  );
}
