import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '@/db';
import { activityEntries, exchangeConnections, historyImports, historyStreams } from '@/db/schema';
import type { HistoryPage, ImportMode, StreamCursor } from '@/lib/exchanges/history/types';
import { rowsOf } from '@/lib/sync/sql-rows';
import { entryRows } from './entries';

/** Rows per insert statement: 17 parameters a row, far under PostgreSQL's 65,535 a statement. */
const INSERT_CHUNK = 500;

export interface StoredPageInput {
  connectionId: string;
  userId: string;
  stream: string;
  mode: ImportMode;
  /** The cursor the page was read from: the page is stored only if the stream still stands there. */
  readFrom: StreamCursor | null;
  page: HistoryPage;
  now: Date;
}

/**
 * stored: written; disconnected: the connection was disconnected (or deleted) meanwhile, nothing
 * written; moved: the stream is no longer at the cursor the page was read from (another run stored
 * it first), nothing written.
 */
export type StoredPage =
  { status: 'stored'; added: number; discovered: number } | { status: 'disconnected' } | { status: 'moved' };

/**
 * Stores one page in ONE transaction: its entries (a re-imported entry is skipped by the unique
 * (connection, kind, external id)), the stream's new cursor, entry count, covered-from and backfilled
 * flag, the streams it discovered, and the import's progress. A page that fails is never half-written,
 * and a crash resumes from the cursor of the last page stored. The connection row is share-locked, so
 * a disconnect (which takes it for update) waits for the page, or the page sees it and writes nothing.
 */
export async function storeHistoryPage(db: Database, input: StoredPageInput): Promise<StoredPage> {
  const { connectionId, userId, stream, page, now } = input;
  const rows = entryRows(page.entries, { connectionId, userId, stream });
  const discovered = [...new Set(page.discoveredStreams ?? [])].filter((name) => name.length > 0 && name.length <= 200);
  return db.transaction(async (tx) => {
    const [connection] = rowsOf<{ disconnected_at: unknown }>(
      await tx.execute(sql`
        select disconnected_at from ${exchangeConnections}
        where id = ${connectionId}::uuid and user_id = ${userId}::uuid
        for share`),
    );
    if (!connection || connection.disconnected_at !== null) return { status: 'disconnected' } as const;

    const [position] = rowsOf<{ same: boolean }>(
      await tx.execute(sql`
        select (cursor is not distinct from ${input.readFrom === null ? null : JSON.stringify(input.readFrom)}::jsonb) as same
        from ${historyStreams}
        where connection_id = ${connectionId}::uuid and stream = ${stream}
        for update`),
    );
    if (!position?.same) return { status: 'moved' } as const;

    let added = 0;
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const inserted = await tx
        .insert(activityEntries)
        .values(rows.slice(start, start + INSERT_CHUNK))
        .onConflictDoNothing({
          target: [activityEntries.connectionId, activityEntries.kind, activityEntries.externalId],
        })
        .returning({ id: activityEntries.id });
      added += inserted.length;
    }

    const coveredFrom = page.coveredFrom ? page.coveredFrom.toISOString() : null;
    await tx
      .update(historyStreams)
      .set({
        cursor: page.cursor,
        entries: sql`${historyStreams.entries} + ${added}`,
        coveredFrom: sql`least(${historyStreams.coveredFrom}, ${coveredFrom}::timestamptz)`,
        backfilled: input.mode === 'backfill' && page.done ? true : sql`${historyStreams.backfilled}`,
        updatedAt: now,
      })
      .where(and(eq(historyStreams.connectionId, connectionId), eq(historyStreams.stream, stream)));

    let newStreams = 0;
    if (discovered.length > 0) {
      const inserted = await tx
        .insert(historyStreams)
        .values(
          discovered.map((name) => ({ connectionId, userId, stream: name, source: 'discovered', updatedAt: now })),
        )
        .onConflictDoNothing()
        .returning({ stream: historyStreams.stream });
      newStreams = inserted.length;
    }

    await tx
      .update(historyImports)
      .set({ state: 'running', lastError: null, updatedAt: now })
      .where(and(eq(historyImports.connectionId, connectionId), eq(historyImports.userId, userId)));
    return { status: 'stored', added, discovered: newStreams } as const;
  });
}
