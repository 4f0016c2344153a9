'use client';

import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';

// One shared clock for every relative time on the page: a single 30 s timer however many
// "3 min ago" labels are mounted, and all of them change together.
const TICK_MS = 30_000;
// The snapshot is rounded UP to the next 5 s: stable between React's reads (useSyncExternalStore needs
// that), yet never behind a time the server just answered (a sync that ended a moment ago would
// otherwise read "in a moment" until the next tick).
const STEP_MS = 5_000;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => {
    for (const notify of listeners) notify();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const roundUp = (time: number) => Math.ceil(time / STEP_MS) * STEP_MS;
const getSnapshot = () => roundUp(Date.now());

/**
 * The time the server rendered this page with (SyncStatusProvider gives the `checkedAt` of its first
 * status answer). It travels in the RSC payload, so the hydration pass reads the very same value and
 * renders the very same tree, whichever side of "due" a date falls on; React then re-renders with the
 * browser's clock right after hydrating.
 */
export const RenderTimeContext = createContext<number | null>(null);

/**
 * The current time in ms, refreshed every 30 s. On the server and while hydrating it is the render
 * time above (the browser's clock otherwise), so time-dependent branches never differ between the
 * server's markup and the hydration pass.
 */
export function useNow(): number {
  const renderedAt = useContext(RenderTimeContext);
  const getServerSnapshot = useCallback(
    () => (renderedAt === null ? getSnapshot() : roundUp(renderedAt)),
    [renderedAt],
  );
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}
