'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { LocaleProvider } from './_components/locale/locale-provider';
import type { RequestLocale } from './_components/locale/request-locale';
import { Toaster } from './_components/ui/toast';

export function Providers({ locale, children }: { locale: RequestLocale; children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 10_000 } } }));
  return (
    <QueryClientProvider client={queryClient}>
      <LocaleProvider value={locale}>
        {children}
        <Toaster />
      </LocaleProvider>
    </QueryClientProvider>
  );
}
