import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { historyImports, historyStreams } from '@/db/schema';
import { withExchangeClient } from '@/lib/exchanges/client';
import { classifyExchangeError } from '@/lib/exchanges/errors';
import { historyStrategyFor } from '@/lib/exchanges/history';
import type { HistoryPage, StreamCursor } from '@/lib/exchanges/history/types';
import { HISTORY_PURPOSE, historyIntervalSeconds } from '@/lib/limits/policies';
import { rowsOf, textArrayLiteral } from '@/lib/sync/sql-rows';
import { secretValues } from '@/lib/vault/credentials';
import { redactSecrets } from '@/lib/vault/redact';
import { loadImportConnection, type ImportConnection } from './connection';
import { MalformedHistoryError } from './entries';
import { HISTORY_UNREADABLE_ANSWER } from './messages';
import { storeHistoryPage, type StoredPage } from './store-page';

export interface ImportIds {
  connectionId: string;
  userId: string;
}

/**
 * What one step of an import did. Small and plain (Inngest keeps every step's output): counts and
 * stream names, never an entry, a cursor or anything from the exchange beyond a redacted message.
 * - started: the import is running, its streams registered;
 * - page: one page of `stream` stored (`streamDone`: this run is through with the stream);
 * - moved: another run had already stored the page; nothing written;
 * - rate_limited: the exchange (or our own history budget) asked us to wait;
 * - finished: no stream left for this run, the import is marked succeeded;
 * - stopped: the import cannot go on (disconnected, keys refused or unreadable), recorded as such.
 */
export type ImportStep =
  | { status: 'started'; streams: number }
  | { status: 'page'; stream: string; added: number; streamDone: boolean }
  | { status: 'moved'; stream: string }
  | { status: 'rate_limited'; retryAfterMs: number }
  | { status: 'finished'; entries: number }
  | { status: 'stopped'; message: string | null };

/**
 * A failure worth trying again (the exchange unreachable, an answer we could not read): thrown, so
 * Inngest retries the step. The message is plain English and redacted; `cause.kind` survives
 * Inngest's error serialisation so `onFailure` can tell it from an error of our own.
 */
export class HistoryRetryError extends Error {
  override name = 'HistoryRetryError';
  constructor(message: string, kind: string) {
    super(message, { cause: { kind } });
  }
}

/** Ends the import as failed with a plain, redacted message, and schedules the next try one interval on. */
export async function failHistoryImport(
  ids: ImportIds,
  message: string,
  now = new Date(),
  db: Database = getDb(),
): Promise<void> {
  await db
    .update(historyImports)
    .set({
      state: 'failed',
      lastError: redactSecrets(message, [], 500),
      finishedAt: now,
      nextImportAt: new Date(now.getTime() + historyIntervalSeconds() * 1000),
      updatedAt: now,
    })
    .where(and(eq(historyImports.connectionId, ids.connectionId), eq(historyImports.userId, ids.userId)));
}

/** The connection's import row ends stopped: disconnected imports end idle and are never scheduled again. */
async function stop(
  ids: ImportIds,
  refusal: Awaited<ReturnType<typeof loadImportConnection>>,
  db: Database,
): Promise<ImportStep> {
  if (refusal.ok || refusal.reason === 'gone') return { status: 'stopped', message: null };
  if (refusal.reason === 'disconnected') {
    await db
      .update(historyImports)
      .set({ state: 'idle', nextImportAt: null, updatedAt: new Date() })
      .where(and(eq(historyImports.connectionId, ids.connectionId), eq(historyImports.userId, ids.userId)));
    return { status: 'stopped', message: refusal.message };
  }
  await failHistoryImport(ids, refusal.message, new Date(), db);
  return { status: 'stopped', message: refusal.message };
}

/**
 * What an exchange failure means for the import: wait (rate limits, ours or the exchange's), stop
 * (keys refused: no retry helps), or throw a HistoryRetryError for Inngest to retry.
 */
async function onExchangeError(
  error: unknown,
  ids: ImportIds,
  connection: ImportConnection,
  db: Database,
): Promise<ImportStep> {
  const info = classifyExchangeError(error, secretValues(connection.credentials));
  if (info.kind === 'rate_limit') return { status: 'rate_limited', retryAfterMs: info.retryAfterMs ?? 60_000 };
  if (info.kind === 'auth') {
    const message = 'The exchange rejected this API key, so history cannot be imported. Update the key to resume.';
    await failHistoryImport(ids, message, new Date(), db);
    return { status: 'stopped', message };
  }
  const message =
    info.kind === 'malformed'
      ? HISTORY_UNREADABLE_ANSWER
      : redactSecrets(info.userMessage, secretValues(connection.credentials), 500);
  throw new HistoryRetryError(message, info.kind);
}

/** Every asset the account has shown so far: in holdings, balance history and imported activity. */
async function assetsSeen(db: Database, ids: ImportIds): Promise<string[]> {
  const rows = rowsOf<{ asset: string }>(
    await db.execute(sql`
      select asset from holdings where connection_id = ${ids.connectionId}::uuid and user_id = ${ids.userId}::uuid
      union select asset from balance_history where connection_id = ${ids.connectionId}::uuid
      union select asset from activity_entries where connection_id = ${ids.connectionId}::uuid and user_id = ${ids.userId}::uuid
      union select counter_asset from activity_entries
        where connection_id = ${ids.connectionId}::uuid and user_id = ${ids.userId}::uuid and counter_asset is not null
      order by 1`),
  );
  return rows.map((row) => row.asset);
}

/**
 * Starts a run of the connection's import: marks it running and registers the strategy's streams
 * (`strategy.streams` with every asset seen so far), keeping the streams already known.
 */
export async function beginHistoryImport(ids: ImportIds, db: Database = getDb()): Promise<ImportStep> {
  const loaded = await loadImportConnection(db, ids.connectionId, ids.userId);
  if (!loaded.ok) return stop(ids, loaded, db);
  const { connection } = loaded;
  const strategy = historyStrategyFor(connection.exchangeId);
  const now = new Date();
  await ensureImportRow(db, { ...ids, exchangeId: connection.exchangeId }, 'running', now);

  const assets = await assetsSeen(db, ids);
  let streams: string[];
  try {
    streams = await withExchangeClient(
      connection.exchangeId,
      connection.credentials,
      { sandbox: connection.sandbox, purpose: HISTORY_PURPOSE },
      (client) => strategy.streams(client, { assets, now }),
    );
  } catch (error) {
    return onExchangeError(error, ids, connection, db);
  }
  const names = [...new Set(streams)].filter((name) => name.length > 0 && name.length <= 200);
  if (names.length > 0) {
    await db
      .insert(historyStreams)
      .values(names.map((stream) => ({ ...ids, stream, source: 'default', updatedAt: now })))
      .onConflictDoNothing();
  }
  await db
    .update(historyImports)
    .set({ state: 'running', startedAt: now, finishedAt: null, lastError: null, updatedAt: now })
    .where(and(eq(historyImports.connectionId, ids.connectionId), eq(historyImports.userId, ids.userId)));
  return { status: 'started', streams: names.length };
}

/**
 * The connection's history_imports row, created with the strategy's limits when missing, in `state`.
 * Connect creates it queued; a run that finds it missing (an older connection) creates it running.
 */
export async function ensureImportRow(
  db: Database,
  owner: ImportIds & { exchangeId: string },
  state: 'queued' | 'running',
  now = new Date(),
): Promise<void> {
  const strategy = historyStrategyFor(owner.exchangeId);
  await db
    .insert(historyImports)
    .values({
      connectionId: owner.connectionId,
      userId: owner.userId,
      state,
      completeHistory: strategy.completeHistory,
      limits: strategy.limits,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: historyImports.connectionId,
      set: { state, completeHistory: strategy.completeHistory, limits: strategy.limits, updatedAt: now },
      setWhere: sql`${historyImports.userId} = ${owner.userId}::uuid`,
    });
}

interface StreamPosition {
  stream: string;
  cursor: StreamCursor | null;
  backfilled: boolean;
}

/**
 * The stream to read next: `current` while this run is in the middle of it, else the one waiting
 * longest (not backfilled first), skipping those this run is through with. Waiting longest, so a
 * run continued by a new event reaches the streams the last one did not.
 */
async function nextStream(
  db: Database,
  ids: ImportIds,
  done: readonly string[],
  current: string | null,
): Promise<StreamPosition | null> {
  const [row] = rowsOf<{ stream: string; cursor: StreamCursor | null; backfilled: boolean }>(
    await db.execute(sql`
      select stream, cursor, backfilled from ${historyStreams}
      where connection_id = ${ids.connectionId}::uuid and user_id = ${ids.userId}::uuid
        and not (stream = any(${textArrayLiteral(done)}::text[]))
      order by (stream = ${current ?? ''}) desc, backfilled, updated_at, stream
      limit 1`),
  );
  return row ?? null;
}

/** No stream left for this run: the import succeeded; the next one is due one interval on. */
async function finishHistoryImport(db: Database, ids: ImportIds, now: Date): Promise<ImportStep> {
  const [totals] = rowsOf<{ entries: number | string; pending: number | string }>(
    await db.execute(sql`
      select coalesce(sum(entries), 0) as entries, count(*) filter (where not backfilled) as pending
      from ${historyStreams} where connection_id = ${ids.connectionId}::uuid and user_id = ${ids.userId}::uuid`),
  );
  await db
    .update(historyImports)
    .set({
      state: 'succeeded',
      phase: Number(totals?.pending ?? 0) === 0 ? 'incremental' : 'backfill',
      finishedAt: now,
      lastError: null,
      nextImportAt: new Date(now.getTime() + historyIntervalSeconds() * 1000),
      updatedAt: now,
    })
    .where(and(eq(historyImports.connectionId, ids.connectionId), eq(historyImports.userId, ids.userId)));
  return { status: 'finished', entries: Number(totals?.entries ?? 0) };
}

/**
 * Imports one page: picks the next stream (see `nextStream`), reads one page of it with the
 * connection's credentials on a client lent for history (its own budget), and stores it with its
 * cursor in one transaction (`storeHistoryPage`). Backfill until the stream is backfilled, then
 * incremental. With no stream left, finishes the import.
 */
export async function importHistoryPage(
  ids: ImportIds,
  run: { done: readonly string[]; current: string | null },
  db: Database = getDb(),
): Promise<ImportStep> {
  const loaded = await loadImportConnection(db, ids.connectionId, ids.userId);
  if (!loaded.ok) return stop(ids, loaded, db);
  const { connection } = loaded;
  const now = new Date();
  const position = await nextStream(db, ids, run.done, run.current);
  if (!position) return finishHistoryImport(db, ids, now);

  const strategy = historyStrategyFor(connection.exchangeId);
  const mode = position.backfilled ? 'incremental' : 'backfill';
  let page: HistoryPage;
  try {
    page = await withExchangeClient(
      connection.exchangeId,
      connection.credentials,
      { sandbox: connection.sandbox, purpose: HISTORY_PURPOSE },
      (client) => strategy.fetchPage(client, { stream: position.stream, cursor: position.cursor, mode, now }),
    );
  } catch (error) {
    return onExchangeError(error, ids, connection, db);
  }
  // Database errors are thrown as they are (the job engine retries the step; its wrapper keeps their
  // text, which quotes parameters, out of Inngest and out of last_error).
  let stored: StoredPage;
  try {
    stored = await storeHistoryPage(db, {
      ...ids,
      stream: position.stream,
      mode,
      readFrom: position.cursor,
      page,
      now,
    });
  } catch (error) {
    if (error instanceof MalformedHistoryError) throw new HistoryRetryError(HISTORY_UNREADABLE_ANSWER, 'malformed');
    throw error;
  }
  if (stored.status === 'disconnected')
    return stop(ids, await loadImportConnection(db, ids.connectionId, ids.userId), db);
  if (stored.status === 'moved') return { status: 'moved', stream: position.stream };
  return { status: 'page', stream: position.stream, added: stored.added, streamDone: page.done };
}
