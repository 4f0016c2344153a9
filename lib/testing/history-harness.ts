import type { Exchange } from 'ccxt';
import type { ActivityEntry, HistoryStrategy, StreamCursor } from '@/lib/exchanges/history/types';

/** Where an in-memory import stands: what the engine (lib/history) keeps in history_streams. */
export interface HarnessState {
  streams: Map<string, { cursor: StreamCursor | null; backfilled: boolean }>;
  /** Imported entries by `${kind}:${externalId}`, as the unique key in activity_entries. */
  entries: Map<string, ActivityEntry>;
}

export function emptyHarnessState(): HarnessState {
  return { streams: new Map(), entries: new Map() };
}

export interface HarnessRun {
  pages: number;
  added: number;
  /** false when `maxPages` stopped the run before every stream was done (a "killed" import). */
  finished: boolean;
}

/**
 * Drives a history strategy the way the engine does, without a database, for the per-exchange tests:
 * every stream (listed, discovered, or already in the state) is read page by page — backfill until
 * done, then incremental on later runs — each page's entries kept by their unique key and its cursor
 * stored after it. `maxPages` stops the run part way, as a crash between two pages would.
 */
export async function runHistoryImport(
  strategy: HistoryStrategy,
  client: Exchange,
  state: HarnessState,
  options: { now?: Date; maxPages?: number; assets?: string[] } = {},
): Promise<HarnessRun> {
  const now = options.now ?? new Date();
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  for (const stream of await strategy.streams(client, { assets: options.assets ?? [], now })) {
    if (!state.streams.has(stream)) state.streams.set(stream, { cursor: null, backfilled: false });
  }
  let pages = 0;
  let added = 0;
  const done = new Set<string>();
  for (;;) {
    const stream = [...state.streams.keys()].find((name) => !done.has(name));
    if (stream === undefined) return { pages, added, finished: true };
    const position = state.streams.get(stream)!;
    for (;;) {
      if (pages >= maxPages) return { pages, added, finished: false };
      const mode = position.backfilled ? 'incremental' : 'backfill';
      const page = await strategy.fetchPage(client, { stream, cursor: position.cursor, mode, now });
      pages += 1;
      for (const entry of page.entries) {
        const key = `${entry.kind}:${entry.externalId}`;
        if (!state.entries.has(key)) added += 1;
        state.entries.set(key, entry);
      }
      position.cursor = page.cursor;
      for (const discovered of page.discoveredStreams ?? []) {
        if (!state.streams.has(discovered)) state.streams.set(discovered, { cursor: null, backfilled: false });
      }
      if (page.done) {
        if (mode === 'backfill') position.backfilled = true;
        break;
      }
    }
    done.add(stream);
  }
}
