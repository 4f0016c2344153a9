'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { format } from 'date-fns';
import type { Route } from 'next';
import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { toast } from '@/app/_components/ui/toast';
import { credentialsUnreadable, type ConnectionView, type SyncStatusView } from '@/lib/connections/view';
import { RenderTimeContext } from './use-now';

/**
 * The status query is keyed by user: the QueryClient outlives a sign-out and a sign-in (client-side
 * navigations), and one account must never be shown another's cached connections.
 */
export const syncStatusQueryKey = (userId: string) => ['sync-status', userId] as const;
type SyncStatusQueryKey = ReturnType<typeof syncStatusQueryKey>;

const FAST_POLL_MS = 2_000;
const SLOW_POLL_MS = 30_000;
/** How long after Sync now / Sync all the browser polls fast for runs that may not exist yet. */
const EXPECT_RUNS_MS = 30_000;

class SyncStatusError extends Error {
  constructor(readonly status: number) {
    super(`Sync status answered ${status}`);
  }
}

/** 401 and the like: the session ended. Asking again every few seconds will not fix it. */
const isClientError = (error: unknown) => error instanceof SyncStatusError && error.status >= 400 && error.status < 500;

async function fetchSyncStatus(): Promise<SyncStatusView> {
  const response = await fetch('/api/sync-status', { cache: 'no-store', headers: { accept: 'application/json' } });
  if (!response.ok) throw new SyncStatusError(response.status);
  return (await response.json()) as SyncStatusView;
}

/**
 * "Runs are coming": Sync all (and Sync now) return before every run exists (a background function
 * queues them a moment later), so the first answers may show nothing pending. For 30 s after the last
 * expectation the status is polled fast; the window closes early once a pending run was seen (in an
 * answer fetched after the expectation) and then cleared.
 */
class RunExpectation {
  #since = 0;
  #until = 0;
  #sawPending = false;

  start(now: number) {
    this.#since = now;
    this.#until = now + EXPECT_RUNS_MS;
    this.#sawPending = false;
  }

  /** Whether to keep polling fast, given the latest answer (`pending`, received at `answeredAt`). */
  active(pending: boolean, answeredAt: number, now: number): boolean {
    if (now >= this.#until) return false;
    if (answeredAt >= this.#since) {
      if (pending) this.#sawPending = true;
      else if (this.#sawPending) {
        this.#until = 0;
        return false;
      }
    }
    return true;
  }
}

interface SyncStatusContextValue {
  status: SyncStatusView;
  queryKey: SyncStatusQueryKey;
  expectSync: () => Promise<void>;
}

const SyncStatusContext = createContext<SyncStatusContextValue | null>(null);

/** What, in a connection, means the server-rendered pages (holdings, history) are out of date. */
function fingerprint(connection: ConnectionView): string {
  return [
    connection.status,
    connection.lastSyncAt,
    connection.latestRun?.id,
    connection.pendingRun?.id,
    connection.disconnectedAt,
  ].join('|');
}

function needsRefresh(before: SyncStatusView, after: SyncStatusView): boolean {
  if (before.connections.length !== after.connections.length) return true;
  const previous = new Map(before.connections.map((connection) => [connection.id, fingerprint(connection)]));
  return after.connections.some((connection) => previous.get(connection.id) !== fingerprint(connection));
}

const FAILING = new Set<ConnectionView['status']>(['needs_reauth', 'error', 'rate_limited']);

/**
 * The sync that just ended failed: the run the browser saw pending is now the latest run and it
 * failed, a new failed run appeared (a fast run can finish between two polls), or the status turned
 * into one that needs attention. Answers a key that identifies this failure, to toast it once.
 */
function failureKey(before: ConnectionView | undefined, after: ConnectionView): string | null {
  if (!before || after.disconnectedAt) return null;
  const run = after.latestRun;
  const runFailed = run?.status === 'failed' && run.id !== before.latestRun?.id;
  const sawItPending = before.pendingRun !== null && before.pendingRun.id === run?.id;
  if (runFailed && (sawItPending || !after.pendingRun)) return `${after.id}:run:${run.id}`;
  if (FAILING.has(after.status) && after.status !== before.status) {
    return `${after.id}:status:${after.status}:${after.lastSyncAt ?? ''}`;
  }
  return null;
}

function toastFailure(connection: ConnectionView, goTo: (href: Route) => void) {
  const id = `sync-failed-${connection.id}`;
  const reason = connection.lastError ?? connection.latestRun?.error ?? 'The exchange did not answer as expected.';
  const detail = `/exchanges/${connection.id}` as Route;
  switch (connection.status) {
    case 'needs_reauth':
      toast.error(
        credentialsUnreadable(connection)
          ? `${connection.label}: stored keys can no longer be read`
          : `${connection.label} needs a new API key`,
        {
          id,
          // The reason already says what to do; the button takes the user there.
          description: reason,
          duration: 15_000,
          action: { label: 'Update keys', onClick: () => goTo(`${detail}#update-keys` as Route) },
        },
      );
      return;
    case 'rate_limited': {
      const retry = connection.blockedUntil
        ? `We will try again at ${format(new Date(connection.blockedUntil), 'HH:mm')}.`
        : 'We will try again shortly.';
      toast.error(`${connection.label}: rate limited by the exchange`, {
        id,
        description: `${reason} ${retry} Nothing to do on your side.`,
      });
      return;
    }
    default:
      toast.error(`${connection.label}: sync failed`, {
        id,
        description: `${reason} Try Sync now again in a few minutes; if it keeps failing, open the connection for details.`,
        duration: 10_000,
        action: { label: 'View details', onClick: () => goTo(detail) },
      });
  }
}

/**
 * Live sync status for the signed-in pages: one query polling /api/sync-status (every 2 s while a
 * run is pending or expected, every 30 s otherwise, and on every window focus; not at all after the
 * session ended). When a connection changes between two answers the server components are
 * re-rendered (router.refresh), so holdings and history update without a reload; a sync that ends in
 * failure is told once, in a toast with the action to take.
 */
export function SyncStatusProvider({
  userId,
  initial,
  children,
}: {
  userId: string;
  initial: SyncStatusView;
  children: ReactNode;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const queryKey = useMemo(() => syncStatusQueryKey(userId), [userId]);
  const [expectation] = useState(() => new RunExpectation());
  // The server's time for this render, which hydration reproduces exactly (see use-now.ts).
  const [renderedAt] = useState(() => Date.parse(initial.checkedAt));
  const { data } = useQuery({
    queryKey,
    queryFn: fetchSyncStatus,
    initialData: initial,
    initialDataUpdatedAt: () => Date.parse(initial.checkedAt),
    refetchInterval: (query) => {
      if (isClientError(query.state.error)) return false;
      const pending = query.state.data?.pending ?? false;
      const expecting = expectation.active(pending, query.state.dataUpdatedAt, Date.now());
      return pending || expecting ? FAST_POLL_MS : SLOW_POLL_MS;
    },
    // The default staleTime (10 s) would skip a focus shortly after a poll; coming back to the tab
    // should always show the current state (and revives polling once signed in again).
    refetchOnWindowFocus: 'always',
    // A signed-out answer will not fix itself by asking again; a network blip will.
    retry: (count, error) => !isClientError(error) && count < 2,
  });

  const expectSync = useCallback(async () => {
    expectation.start(Date.now());
    await queryClient.invalidateQueries({ queryKey });
  }, [expectation, queryClient, queryKey]);

  const seen = useRef(data);
  const toasted = useRef(new Set<string>());

  /** Compares an answer with the last one seen: toasts new failures, answers whether pages are stale. */
  const observe = useCallback(
    (next: SyncStatusView): boolean => {
      const before = seen.current;
      seen.current = next;
      const previous = new Map(before.connections.map((connection) => [connection.id, connection]));
      for (const connection of next.connections) {
        const key = failureKey(previous.get(connection.id), connection);
        if (key && !toasted.current.has(key)) {
          toasted.current.add(key);
          toastFailure(connection, (href) => router.push(href));
        }
      }
      return needsRefresh(before, next);
    },
    [router],
  );

  // The layout re-renders on every router.refresh() with a fresher server answer: adopt it without
  // refreshing again (the page it came with is already up to date), but still tell its failures.
  useEffect(() => {
    const cached = queryClient.getQueryData<SyncStatusView>(queryKey);
    if (cached && Date.parse(initial.checkedAt) <= Date.parse(cached.checkedAt)) return;
    observe(initial);
    queryClient.setQueryData(queryKey, initial);
  }, [initial, queryClient, queryKey, observe]);

  useEffect(() => {
    if (seen.current !== data && observe(data)) router.refresh();
  }, [data, observe, router]);

  const value = useMemo(() => ({ status: data, queryKey, expectSync }), [data, queryKey, expectSync]);
  return (
    <SyncStatusContext value={value}>
      <RenderTimeContext value={renderedAt}>{children}</RenderTimeContext>
    </SyncStatusContext>
  );
}

function useSyncStatusContext(): SyncStatusContextValue {
  const context = useContext(SyncStatusContext);
  if (!context) throw new Error('Sync status hooks need <SyncStatusProvider> (mounted in app/(app)/layout.tsx)');
  return context;
}

/** The latest sync status of all the user's connections. */
export function useSyncStatus(): SyncStatusView {
  return useSyncStatusContext().status;
}

/** One connection's live status, or undefined when it is not (or no longer) listed. */
export function useConnectionStatus(id: string): ConnectionView | undefined {
  return useSyncStatus().connections.find((connection) => connection.id === id);
}

/** Ask the server again now (after a mutation), instead of at the next poll. */
export function useInvalidateSyncStatus(): () => Promise<void> {
  const queryClient = useQueryClient();
  const { queryKey } = useSyncStatusContext();
  return useCallback(() => queryClient.invalidateQueries({ queryKey }), [queryClient, queryKey]);
}

/**
 * After Sync now / Sync all succeeded: ask again now, then keep polling fast for the next 30 s (or
 * until the runs that appear have ended), since runs may be queued only after the action returned.
 */
export function useExpectSync(): () => Promise<void> {
  return useSyncStatusContext().expectSync;
}
