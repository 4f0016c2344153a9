import 'server-only';
import { after } from 'next/server';
import { and, eq } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { historyImports } from '@/db/schema';
import { forgetDevServerProbe, jobsStatus } from '@/lib/jobs/availability';
import { dispatch } from '@/lib/jobs/dispatch';
import { historyImportRequested } from '@/lib/jobs/events';
import { historyIntervalSeconds } from '@/lib/limits/policies';
import { ensureImportRow, type ImportIds } from './import-page';
import { runHistoryImportInline } from './run-inline';

/** Nobody waits on an import starting: the event API gets a second, then the scheduler takes over. */
const START_SEND_TIMEOUT_MS = 1_000;

export type StartedImport = 'sent' | 'inline' | 'due';

/**
 * Runs `work` after the response is sent (Next's `after`), so Connect and "Add a market" answer at
 * once; outside a request (a script, a test) it runs right away.
 */
async function afterResponse(work: () => Promise<void>): Promise<void> {
  try {
    after(work);
  } catch {
    await work();
  }
}

/**
 * Starts an import of the connection's history: its history_imports row is queued (created with the
 * strategy's limits when missing) and the import event sent; in development without an Inngest dev
 * server the import runs in this process instead. When the event cannot be sent, the row is left due
 * now, so the history scheduler starts it on its next tick. Never throws for a failed send.
 */
export async function startHistoryImport(
  owner: ImportIds & { exchangeId: string },
  db: Database = getDb(),
): Promise<StartedImport> {
  const now = new Date();
  await ensureImportRow(db, owner, 'queued', now);
  // Not due while the event is on its way, so the scheduler does not start a second run.
  await setNextImport(db, owner, new Date(now.getTime() + historyIntervalSeconds() * 1000));
  const ids = { connectionId: owner.connectionId, userId: owner.userId };
  if ((await jobsStatus()).mode === 'inline') {
    await afterResponse(() => runHistoryImportInline(ids));
    return 'inline';
  }
  const sent = await dispatch(historyImportRequested.create({ ...ids, exchangeId: owner.exchangeId }), {
    timeoutMs: START_SEND_TIMEOUT_MS,
  });
  if (sent.ok) return 'sent';
  forgetDevServerProbe();
  await db
    .update(historyImports)
    .set({ state: 'idle', nextImportAt: now, updatedAt: now })
    .where(and(eq(historyImports.connectionId, owner.connectionId), eq(historyImports.userId, owner.userId)));
  return 'due';
}

async function setNextImport(db: Database, owner: ImportIds, at: Date): Promise<void> {
  await db
    .update(historyImports)
    .set({ nextImportAt: at })
    .where(and(eq(historyImports.connectionId, owner.connectionId), eq(historyImports.userId, owner.userId)));
}
