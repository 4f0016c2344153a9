import { cron } from 'inngest';
import { claimAndSendHistoryPage, HISTORY_SCHEDULE_PAGE_SIZE } from '@/lib/history/schedule';
import { inngest } from '@/lib/jobs/client';

/** One step a page, under Inngest's 1,000 steps a run. */
export const HISTORY_SCHEDULE_MAX_PAGES = 900;

/**
 * Cron fan-out for incremental history imports: every five minutes, claim the connections whose
 * `history_imports.next_import_at` has passed (hourly after each import by default,
 * HISTORY_INTERVAL_SECONDS), page by page, and send one import event each.
 */
export const scheduleHistoryImports = inngest.createFunction(
  {
    id: 'schedule-history-imports',
    triggers: [cron('*/5 * * * *')],
    singleton: { mode: 'skip' },
  },
  async ({ step }) => {
    let pages = 0;
    let imports = 0;
    for (;;) {
      const { claimed } = await step.run(`claim-and-send-page-${pages}`, () =>
        claimAndSendHistoryPage({ limit: HISTORY_SCHEDULE_PAGE_SIZE }),
      );
      pages += 1;
      imports += claimed;
      if (claimed < HISTORY_SCHEDULE_PAGE_SIZE || pages >= HISTORY_SCHEDULE_MAX_PAGES) break;
    }
    return { pages, imports };
  },
);
