import { InngestTestEngine } from '@inngest/test';
import { DrizzleQueryError } from 'drizzle-orm';
import { NonRetriableError, RetryAfterError, type Context } from 'inngest';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { enqueueRunsForUser, markRunFailed, markStaleRuns, markUnsentRuns } from '@/lib/sync/runs';
import { sendSyncRuns } from '@/lib/sync/send-runs';
import { claimAndSendPage } from '@/lib/sync/schedule-page';
import { syncConnection } from '@/lib/sync/sync-connection';
import type { SyncOutcome } from '@/lib/sync/types';
import { inngest } from '@/lib/jobs/client';
import { logger } from '@/lib/log';
import { functions } from './functions';
import { cleanStaleSyncs } from './functions/clean-stale-syncs';
import { importHistoryFunction } from './functions/import-history';
import { scheduleHistoryImports } from './functions/schedule-history-imports';
import { pruneSyncRuns } from './functions/prune-sync-runs';
import { rotateCredentials } from './functions/rotate-credentials';
import { refreshExchangePricesFunction, refreshPrices } from './functions/refresh-prices';
import { claimAllPages, SCHEDULE_MAX_PAGES, SCHEDULE_PAGE_SIZE, scheduleSyncs } from './functions/schedule-syncs';
import { syncAll } from './functions/sync-all';
import {
  failureError,
  failureKind,
  syncConnectionFunction,
  UNEXPECTED_FAILURE_MESSAGE,
} from './functions/sync-connection';

// The functions' logic against stubs of the sync core; the real chain runs in chain.db.test.ts.
vi.mock('@/lib/sync/sync-connection', () => ({ syncConnection: vi.fn() }));
vi.mock('@/lib/sync/schedule', () => ({ SCHEDULE_PAGE_SIZE: 500, PARALLEL_CLAIMS: 2 }));
vi.mock('@/lib/sync/schedule-page', () => ({ claimAndSendPage: vi.fn() }));
vi.mock('@/lib/sync/runs', () => ({
  enqueueRunsForUser: vi.fn(),
  markRunFailed: vi.fn(),
  markStaleRuns: vi.fn(),
  markUnsentRuns: vi.fn(),
}));
vi.mock('@/lib/sync/send-runs', () => ({ sendSyncRuns: vi.fn() }));

const connectionId = '00000000-0000-4000-8000-000000000001';
const runId = '00000000-0000-4000-8000-0000000000aa';
const syncEvent = { name: 'connection/sync.requested', data: { connectionId, runId, exchangeId: 'binance' } };

beforeEach(() => vi.resetAllMocks());

/** A function's registered config, as the SDK sends it to Inngest on sync. */
function configOf(fn: object) {
  type Config = Record<string, unknown> & { id: string };
  // getConfig is private in the SDK's types; it is what serve() sends to Inngest.
  const withConfig = fn as { getConfig(options: { baseUrl: URL; appPrefix: string }): Config[] };
  return withConfig.getConfig({ baseUrl: new URL('https://app.example/api/inngest'), appPrefix: 'coinsphere' });
}

function syncTest() {
  return new InngestTestEngine({ function: syncConnectionFunction, events: [syncEvent] });
}

const failed = (kind: string, retriable: boolean, extra: object = {}): SyncOutcome =>
  ({ status: 'failed', kind, message: `Plain English ${kind}.`, retriable, ...extra }) as SyncOutcome;

describe('sync-connection', () => {
  it('syncs the run named by the event and returns counts only', async () => {
    vi.mocked(syncConnection).mockResolvedValue({ status: 'succeeded', assets: 3, warnings: ['Earn unread.'] });
    const { result, error } = await syncTest().execute();
    expect(error).toBeUndefined();
    expect(syncConnection).toHaveBeenCalledExactlyOnceWith(connectionId, runId);
    expect(result).toStrictEqual({ status: 'succeeded', assets: 3, warnings: ['Earn unread.'] });
  });

  it('does nothing more for a run that is no longer pending', async () => {
    vi.mocked(syncConnection).mockResolvedValue({ status: 'skipped', reason: 'The run is no longer queued.' });
    const { result } = await syncTest().execute();
    expect(result).toStrictEqual({ status: 'skipped', reason: 'The run is no longer queued.' });
  });

  it('refused keys fail without retry (NonRetriableError), with the redacted message', async () => {
    vi.mocked(syncConnection).mockResolvedValue(failed('auth', false));
    const { error } = await syncTest().execute();
    expect(error).toMatchObject({ name: 'NonRetriableError', message: 'Plain English auth.' });
  });

  it('a transient failure throws a plain Error so Inngest retries with backoff', async () => {
    vi.mocked(syncConnection).mockResolvedValue(failed('transient', true));
    const { error } = await syncTest().execute();
    expect(error).toMatchObject({ name: 'Error', message: 'Plain English transient.' });
  });

  it('an unclassified error is retried, but its text (query parameters, amounts) never reaches Inngest', async () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const query = new DrizzleQueryError(
      'insert into holdings values ($1, $2)',
      ['BTC', '12.3456789'],
      new Error('deadlock detected'),
    );
    vi.mocked(syncConnection).mockRejectedValue(query);
    const { error } = await syncTest().execute();
    expect(error).toMatchObject({ name: 'Error', message: UNEXPECTED_FAILURE_MESSAGE });
    expect(JSON.stringify(error)).not.toContain('12.3456789');
    // Ours names the driver's error; the SDK logs the step error it stores, which is the generic one.
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.objectContaining({ message: 'deadlock detected' }) }),
      'sync failed unexpectedly',
    );
    for (const call of log.mock.calls) expect(String(call)).not.toContain('12.3456789');
    log.mockRestore();
  });

  it('maps each outcome to the retry policy Inngest applies', () => {
    const auth = failureError(failed('auth', false) as Extract<SyncOutcome, { status: 'failed' }>);
    expect(auth).toBeInstanceOf(NonRetriableError);
    const gone = failureError(failed('not_found', false) as Extract<SyncOutcome, { status: 'failed' }>);
    expect(gone).toBeInstanceOf(NonRetriableError);

    const limited = failureError(
      failed('rate_limit', true, { retryAfterMs: 30_500 }) as Extract<SyncOutcome, { status: 'failed' }>,
    );
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfter).toBe('31'); // seconds, rounded up
    const limitedUnsaid = failureError(failed('rate_limit', true) as Extract<SyncOutcome, { status: 'failed' }>);
    expect((limitedUnsaid as RetryAfterError).retryAfter).toBe('60');

    const transient = failureError(failed('transient', true) as Extract<SyncOutcome, { status: 'failed' }>);
    expect(transient).not.toBeInstanceOf(NonRetriableError);
    expect(transient).not.toBeInstanceOf(RetryAfterError);
    expect([auth, limited, transient].map(failureKind)).toStrictEqual(['auth', 'rate_limit', 'transient']);
    expect(failureKind(new Error('boom'))).toBeUndefined();
  });

  describe('onFailure', () => {
    // @inngest/test never runs onFailure (notes §2.6): wrap the handler and inject the error.
    function failureTest(error: Error) {
      const { onFailure } = syncConnectionFunction.opts;
      const wrapper = inngest.createFunction({ id: 'sync-connection-failure-test' }, onFailure as never);
      const failedEvent = {
        name: 'inngest/function.failed',
        data: { function_id: 'coinsphere-sync-connection', run_id: 'r1', error: {}, event: syncEvent },
      };
      return new InngestTestEngine({
        function: wrapper,
        events: [failedEvent],
        transformCtx: (ctx: Context.Any) => ({ ...ctx, error }),
      });
    }

    it('marks the run failed with the classified kind and redacted message', async () => {
      const error = failureError(failed('transient', true) as Extract<SyncOutcome, { status: 'failed' }>);
      const { result } = await failureTest(error).execute();
      expect(markRunFailed).toHaveBeenCalledExactlyOnceWith(runId, {
        kind: 'transient',
        message: 'Plain English transient.',
      });
      expect(result).toStrictEqual({ runId, kind: 'transient' });
    });

    it('never shows the user an unclassified error message', async () => {
      await failureTest(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2')).execute();
      expect(markRunFailed).toHaveBeenCalledExactlyOnceWith(runId, {
        kind: 'other',
        message: UNEXPECTED_FAILURE_MESSAGE,
      });
    });
  });
});

describe('schedule-syncs', () => {
  function scheduleTest() {
    return new InngestTestEngine({
      function: scheduleSyncs,
      events: [{ name: 'inngest/scheduled.timer', data: { cron: '* * * * *' } }],
    });
  }

  it('claims and sends page by page until a short page, and its steps return counts only', async () => {
    vi.mocked(claimAndSendPage)
      .mockResolvedValueOnce({ claimed: SCHEDULE_PAGE_SIZE })
      .mockResolvedValueOnce({ claimed: SCHEDULE_PAGE_SIZE })
      .mockResolvedValueOnce({ claimed: 2 });
    const { result, state } = await scheduleTest().execute();
    expect(result).toStrictEqual({ pages: 3, runs: 2 * SCHEDULE_PAGE_SIZE + 2 });
    expect(vi.mocked(claimAndSendPage).mock.calls).toStrictEqual(
      Array(3).fill([{ limit: SCHEDULE_PAGE_SIZE, parallel: 2 }]),
    );
    const outputs = await Promise.all(Object.values(state).map((step) => step));
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(output).toStrictEqual({ claimed: expect.any(Number) });
  });

  it('stops after one page when nothing is due', async () => {
    vi.mocked(claimAndSendPage).mockResolvedValueOnce({ claimed: 0 });
    const { result } = await scheduleTest().execute();
    expect(result).toStrictEqual({ pages: 1, runs: 0 });
    expect(claimAndSendPage).toHaveBeenCalledOnce();
  });

  it('stops at SCHEDULE_MAX_PAGES pages, one step each, under Inngest’s 1,000 steps a run', async () => {
    // Every page full, for longer than the cap: only the cap ends the loop. The function's own loop runs
    // with a step that calls through (@inngest/test replays the function once per step: 900 pages take minutes).
    vi.mocked(claimAndSendPage).mockResolvedValue({ claimed: SCHEDULE_PAGE_SIZE });
    const stepIds: string[] = [];
    const step = {
      run: (id: string, fn: () => Promise<{ claimed: number }>) => {
        stepIds.push(id);
        // A loop without a cap would spin forever: fail it at once past Inngest's limit.
        if (stepIds.length > 1000) throw new Error('more than 1,000 steps in one run');
        return fn();
      },
    };
    const result = await claimAllPages(step);
    expect(SCHEDULE_MAX_PAGES).toBeLessThan(1000);
    expect(result).toStrictEqual({ pages: SCHEDULE_MAX_PAGES, runs: SCHEDULE_MAX_PAGES * SCHEDULE_PAGE_SIZE });
    expect(new Set(stepIds).size).toBe(SCHEDULE_MAX_PAGES);
    expect(claimAndSendPage).toHaveBeenCalledTimes(SCHEDULE_MAX_PAGES);
    // At the page size the scheduler runs with, the cap still claims 100,000 due connections a tick.
    expect(SCHEDULE_MAX_PAGES * SCHEDULE_PAGE_SIZE).toBeGreaterThanOrEqual(100_000);
  });
});

describe('sync-all', () => {
  it('sends one sync event per run it created, none for runs already pending', async () => {
    vi.mocked(enqueueRunsForUser).mockResolvedValue([
      { connectionId: 'c1', runId: 'r1', exchangeId: 'kraken', created: true },
      { connectionId: 'c2', runId: 'r2', exchangeId: 'kraken', created: false },
      { connectionId: 'c3', runId: 'r3', exchangeId: 'kraken', created: true },
    ]);
    vi.mocked(sendSyncRuns).mockResolvedValue({ ok: true, ids: ['e1', 'e3'] });
    const { result } = await new InngestTestEngine({
      function: syncAll,
      events: [{ name: 'user/sync-all.requested', data: { userId: 'u1' } }],
    }).execute();
    expect(enqueueRunsForUser).toHaveBeenCalledExactlyOnceWith('u1', 'sync_all');
    expect(result).toStrictEqual({ connections: 3, started: 2 });
    expect(sendSyncRuns).toHaveBeenCalledExactlyOnceWith([
      { connectionId: 'c1', runId: 'r1', exchangeId: 'kraken', created: true },
      { connectionId: 'c3', runId: 'r3', exchangeId: 'kraken', created: true },
    ]);
  });

  it('fails the send step when Inngest did not accept the events, so Inngest retries it', async () => {
    vi.mocked(enqueueRunsForUser).mockResolvedValue([
      { connectionId: 'c1', runId: 'r1', exchangeId: 'kraken', created: true },
    ]);
    vi.mocked(sendSyncRuns).mockResolvedValue({ ok: false, reason: 'timeout' });
    const { error } = await new InngestTestEngine({
      function: syncAll,
      events: [{ name: 'user/sync-all.requested', data: { userId: 'u1' } }],
    }).execute();
    expect(error).toMatchObject({ message: 'Could not send 1 syncs to Inngest (timeout)' });
  });

  it('sends nothing when every connection already has a pending run', async () => {
    vi.mocked(enqueueRunsForUser).mockResolvedValue([
      { connectionId: 'c1', runId: 'r1', exchangeId: 'kraken', created: false },
    ]);
    const { result } = await new InngestTestEngine({
      function: syncAll,
      events: [{ name: 'user/sync-all.requested', data: { userId: 'u1' } }],
    }).execute();
    expect(result).toStrictEqual({ connections: 1, started: 0 });
    expect(sendSyncRuns).not.toHaveBeenCalled();
  });
});

describe('clean-stale-syncs', () => {
  it('marks unsent and stale runs and returns how many of each', async () => {
    vi.mocked(markStaleRuns).mockResolvedValue(2);
    vi.mocked(markUnsentRuns).mockResolvedValue(53);
    const { result } = await new InngestTestEngine({
      function: cleanStaleSyncs,
      events: [{ name: 'inngest/scheduled.timer', data: { cron: '*/2 * * * *' } }],
    }).execute();
    expect(result).toStrictEqual({ unsent: 53, stale: 2 });
    expect(markStaleRuns).toHaveBeenCalledOnce();
    expect(markUnsentRuns).toHaveBeenCalledOnce();
  });
});

// Retries, onFailure, cancelOn, singleton and the cron fan-out run for real through the test executor in
// chain.db.test.ts, which reads the config the SDK registers (breaking one of them fails a test there).
// Only what the executor cannot model, and so no local run can exercise, is read from the config here.
describe('what only Inngest enforces (not modelled by the test executor)', () => {
  it('sync-connection: a throttle per exchange, and no concurrency key (it would limit steps, not runs)', () => {
    const [main] = configOf(syncConnectionFunction);
    expect(main!.throttle).toStrictEqual({ key: 'event.data.exchangeId', limit: 30, period: '1m', burst: 10 });
    expect(main!.concurrency).toBeUndefined();
  });

  it('crons: schedule every minute, stale cleanup every two, a tick overlapping a slow one skipped', () => {
    const [schedule] = configOf(scheduleSyncs);
    expect(schedule).toMatchObject({ triggers: [{ cron: '* * * * *' }], singleton: { mode: 'skip' } });
    const [clean] = configOf(cleanStaleSyncs);
    // Every two minutes: an unsent run (5 minutes old) is released within 7.
    expect(clean).toMatchObject({ triggers: [{ cron: '*/2 * * * *' }], singleton: { mode: 'skip' } });
    // Run retention: daily, one step at a time across runs (its continuation must not be skipped).
    const [prune] = configOf(pruneSyncRuns);
    expect(prune).toMatchObject({
      triggers: [{ cron: 'TZ=UTC 30 3 * * *' }, { event: 'sync-runs/prune.requested' }],
      concurrency: { limit: 1 },
    });
    expect(prune!.singleton).toBeUndefined();
  });

  it('serves every function, credential rotation included', () => {
    expect(functions).toStrictEqual(
      expect.arrayContaining([
        rotateCredentials,
        syncConnectionFunction,
        scheduleSyncs,
        syncAll,
        cleanStaleSyncs,
        pruneSyncRuns,
        refreshPrices,
        refreshExchangePricesFunction,
        importHistoryFunction,
        scheduleHistoryImports,
      ]),
    );
    expect(functions).toHaveLength(10);
  });
});
