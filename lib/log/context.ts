import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written during a request or a background run says about where it came from. */
export interface LogContext {
  /** One server action call (or HTTP request). */
  requestId?: string;
  /** The Inngest run executing a function. */
  inngestRunId?: string;
  /** The sync run (`sync_runs.id`) being worked on. */
  syncRunId?: string;
  connectionId?: string;
  exchangeId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to every log line written inside it (nested calls add to the outer fields). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
