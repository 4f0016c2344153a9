import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireUser } from '@/lib/auth/session';
import { getSyncStatus } from '@/lib/connections/status';
import { Logo } from '../_components/logo';
import { JobsNotice } from './_components/jobs-notice';
import { SyncStatusProvider } from './_components/sync-status';
import { MainNav } from './main-nav';
import { UserMenu } from './user-menu';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  // The first answer of the live status is rendered with the page, so badges are right before any poll.
  const initialStatus = await getSyncStatus(user.id);
  return (
    <SyncStatusProvider userId={user.id} initial={initialStatus}>
      <div className="flex min-h-dvh flex-col">
        <header className="sticky top-0 z-30 border-b border-border bg-background/85 backdrop-blur">
          <div className="mx-auto flex h-14 max-w-6xl items-center gap-2 px-4 sm:gap-4 sm:px-6">
            <Link
              href="/"
              aria-label="Coinsphere home"
              className="shrink-0 rounded-md focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
            >
              {/* The wordmark gives way to the navigation on narrow screens; the globe stays. */}
              <Logo className="max-sm:gap-0 max-sm:text-[0px]" />
            </Link>
            <MainNav />
            <div className="ml-auto">
              <UserMenu email={user.email} name={user.name} />
            </div>
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
          <JobsNotice />
          {children}
        </main>
      </div>
    </SyncStatusProvider>
  );
}
