'use client';

import { useSyncExternalStore } from 'react';

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

const getSnapshot = () => Math.ceil(Date.now() / STEP_MS) * STEP_MS;

/** The current time in ms, refreshed every 30 s. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

const noop = () => () => {};

/**
 * False on the server and while hydrating, true afterwards: lets a component render a time-zone
 * dependent value (a local "14:05") only once it runs in the browser, so hydration never mismatches.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}
