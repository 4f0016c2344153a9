import type { ImportIds, ImportStep } from './import-page';

/** The durable-step primitives an import runs on: Inngest's `step` in a function, plain calls inline. */
export interface ImportSteps {
  run(id: string, work: () => Promise<ImportStep>): Promise<ImportStep>;
  sleep(id: string, ms: number): Promise<void>;
}

/** Steps one run takes before it hands over to a new run (Inngest allows 1,000 steps a run). */
export const MAX_STEPS_PER_RUN = 400;

export interface DriveResult {
  /** finished: every stream done; stopped: cannot go on; continue: the step bound was reached, more to do. */
  status: 'finished' | 'stopped' | 'continue';
  pages: number;
  added: number;
  waits: number;
  message?: string | null;
}

export interface DriveDeps {
  begin: (ids: ImportIds) => Promise<ImportStep>;
  page: (ids: ImportIds, run: { done: readonly string[]; current: string | null }) => Promise<ImportStep>;
}

/**
 * One run of a connection's import: `begin` (register streams), then one step PER PAGE until every
 * stream is done for this run, sleeping out each rate limit (its Retry-After) as a step of its own. A
 * crash or deploy resumes at the first step not yet stored; each page's entries are already in the
 * database with their cursor. After `maxSteps` the run ends with `continue`, so its caller starts a
 * new run (Inngest: a continuation event), which resumes from the stored cursors.
 */
export async function driveHistoryImport(
  steps: ImportSteps,
  ids: ImportIds,
  deps: DriveDeps,
  options: { maxSteps?: number } = {},
): Promise<DriveResult> {
  const maxSteps = options.maxSteps ?? MAX_STEPS_PER_RUN;
  const done: string[] = [];
  let current: string | null = null;
  let begun = false;
  let pages = 0;
  let added = 0;
  let waits = 0;
  for (let i = 0; i < maxSteps; i++) {
    const outcome: ImportStep = begun
      ? await steps.run(`page-${i}`, () => deps.page(ids, { done: [...done], current }))
      : await steps.run(`begin-${i}`, () => deps.begin(ids));
    switch (outcome.status) {
      case 'started':
        begun = true;
        break;
      case 'page':
        pages += 1;
        added += outcome.added;
        current = outcome.streamDone ? null : outcome.stream;
        if (outcome.streamDone) done.push(outcome.stream);
        break;
      case 'moved':
        current = outcome.stream;
        break;
      case 'rate_limited':
        waits += 1;
        await steps.sleep(`wait-${i}`, outcome.retryAfterMs);
        break;
      case 'finished':
        return { status: 'finished', pages, added, waits };
      case 'stopped':
        return { status: 'stopped', pages, added, waits, message: outcome.message };
    }
  }
  return { status: 'continue', pages, added, waits };
}
