'use client';

import { PauseCircle } from 'lucide-react';
import { useSyncStatus } from './sync-status';

/**
 * Said once for the whole app (not on every card) while `next dev` runs without an Inngest dev server:
 * Sync now and Sync all still work (they run in the app's own process) but nothing runs on a schedule.
 * Follows the polled status, so it goes away once a dev server answers.
 */
export function JobsNotice() {
  const { jobs } = useSyncStatus();
  if (jobs.mode !== 'inline') return null;
  return (
    <section
      aria-labelledby="jobs-notice-title"
      data-testid="jobs-notice"
      className="mb-6 flex gap-3 rounded-xl border border-warning/40 bg-warning/10 p-4 text-sm"
    >
      <PauseCircle className="mt-0.5 size-5 shrink-0 text-warning" aria-hidden />
      <div className="flex flex-col gap-1">
        {/* Not a heading: it comes before the page's own h1 on every page. */}
        <p id="jobs-notice-title" className="font-medium">
          Background scheduling is off
        </p>
        <p className="text-muted">
          No Inngest dev server is running, so scheduled syncs are paused. Sync now and Sync all still work: they run in
          the app itself. To turn scheduling on, run <code className="font-mono">npx inngest-cli@latest dev</code>{' '}
          beside <code className="font-mono">npm run dev</code>, or start the one you already have on port 8288.
        </p>
      </div>
    </section>
  );
}
