import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { requestLocale } from './_components/locale/request-locale';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: { default: 'Coinsphere', template: '%s · Coinsphere' },
  description: 'All your exchange accounts in one portfolio that stays in sync.',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f8fafc' },
    { media: '(prefers-color-scheme: dark)', color: '#12141c' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so Next can put this request's CSP nonce (proxy.ts) on its scripts;
  // a page prerendered at build time would carry none and be blocked.
  await connection();
  const locale = await requestLocale();
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <Providers locale={locale}>{children}</Providers>
      </body>
    </html>
  );
}
