import { randomBytes } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { exchangeConnections, holdings, syncRuns } from '@/db/schema';
import { enqueueRun } from '@/lib/sync/runs';
import { applySyncResult } from '@/lib/sync/sync-connection';
import { sendSyncRuns } from '@/lib/sync/send-runs';
import { withTestDatabase } from '@/lib/testing/database';
import { addSimAccount, simWallets, SIMULATED_EXCHANGES } from '@/lib/testing/exchange-accounts';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { Fault, SimExchangeId } from '@/lib/testing/exchange-simulator/types';
import { createTestConnection, createTestUser } from '@/lib/testing/factories';
import { holdingLines } from '@/lib/testing/fixtures';
import { startTestExecutor, type RunRecord, type TestExecutor } from '@/lib/testing/inngest-executor';
import { withSimulator } from '@/lib/testing/simulator';
import { parseKeyring, setKeyring } from '@/lib/vault/keyring';

// Issue 12, fault matrix: every verified exchange × every failure the simulator can play, each a real sync
// (the Inngest test executor driving the real /api/inngest route, ccxt over HTTP to the simulator, the
// database), once with the fault lasting through every retry and once with it gone after one request.
// For every cell: the final run and connection state, the attempts made, holdings either exactly as
// before or exactly the new balances, and no run left queued or running. Plus a database failure in the
// middle of applying a sync (the error a killed connection gives), on PostgreSQL and PGlite alike.

withTestDatabase({ isolated: true });
let sim!: ExchangeSimulator;
withSimulator((running) => (sim = running));
let executor!: TestExecutor;

/**
 * The timeout cells sync on their own, with this exchange timeout (seconds, not the 30 s default); every
 * other cell keeps the default, so a slow answer on a loaded machine is never taken for the fault.
 */
const EXCHANGE_TIMEOUT_MS = 3_000;
const previousTimeout = process.env.EXCHANGE_TIMEOUT_MS;

function setExchangeTimeout(ms: string | undefined) {
  if (ms === undefined) delete process.env.EXCHANGE_TIMEOUT_MS;
  else process.env.EXCHANGE_TIMEOUT_MS = ms;
}

beforeAll(async () => {
  setKeyring(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
  executor = await startTestExecutor({ loadRoute: () => import('@/app/api/inngest/route'), concurrency: 6 });
});
afterAll(async () => {
  await executor?.close();
  setKeyring(undefined);
  setExchangeTimeout(previousTimeout);
});

type FaultSpec = Omit<Fault, 'remaining'>;
const FAULTS: Array<{ label: string; fault: FaultSpec }> = [
  { label: '401', fault: { kind: 'auth' } },
  { label: '403', fault: { kind: 'forbidden' } },
  { label: '429+Retry-After', fault: { kind: 'rate_limit', retryAfterSeconds: 7 } },
  { label: '418', fault: { kind: 'ban', retryAfterSeconds: 120 } },
  { label: '500', fault: { kind: 'server_error' } },
  { label: '502', fault: { kind: 'bad_gateway' } },
  { label: '503', fault: { kind: 'unavailable' } },
  { label: '504', fault: { kind: 'gateway_timeout' } },
  { label: 'timeout', fault: { kind: 'delay', delayMs: EXCHANGE_TIMEOUT_MS + 2_000 } },
  { label: 'html', fault: { kind: 'html' } },
  { label: 'truncated', fault: { kind: 'truncated' } },
  { label: 'nonce', fault: { kind: 'nonce' } },
  { label: 'clock-skew', fault: { kind: 'clock_skew' } },
];

type Duration = 'persistent' | 'once';

interface Cell {
  exchange: SimExchangeId;
  label: string;
  duration: Duration;
  fault?: FaultSpec;
  userId: string;
  connectionId: string;
  apiKey: string;
  runId?: string;
}

interface Outcome {
  connection: string;
  run: string;
  errorKind: string | null;
  attempts: number;
  executorOps: string[];
  retryAfter: string[];
  /** `unchanged`, `updated`, `updated, <wallets> kept` (optional wallets not read: stored rows kept), or PARTIAL. */
  holdings: string;
  keptWallets: string[];
  warnings: string[];
  faultsServed: number;
  pendingRuns: number;
}

const walletOf = (row: string) => row.slice(0, row.indexOf(':'));

/** Wallet by wallet, each exactly as before or exactly as the new balances: anything else is PARTIAL. */
function compareHoldings(stored: string[], before: string[], after: string[]): { label: string; kept: string[] } {
  const wallets = [...new Set([...stored, ...before, ...after].map(walletOf))].sort();
  const rowsIn = (rows: string[], wallet: string) => JSON.stringify(rows.filter((row) => walletOf(row) === wallet));
  const states = wallets.map((wallet) => {
    const mine = rowsIn(stored, wallet);
    return mine === rowsIn(after, wallet) ? 'new' : mine === rowsIn(before, wallet) ? 'old' : 'partial';
  });
  const kept = wallets.filter((_, i) => states[i] === 'old');
  if (states.includes('partial')) return { label: 'PARTIAL', kept };
  if (kept.length === wallets.length) return { label: 'unchanged', kept: [] };
  return { label: kept.length === 0 ? 'updated' : `updated, ${kept.join('+')} kept`, kept };
}

async function newCell(exchange: SimExchangeId, label: string, duration: Duration, fault?: FaultSpec): Promise<Cell> {
  const userId = await createTestUser();
  const { apiKey, credentials } = addSimAccount(sim, exchange, 'before');
  const connectionId = await createTestConnection({
    userId,
    exchangeId: exchange,
    credentials,
    values: { nextSyncAt: new Date(Date.now() + 3_600_000) },
  });
  return { exchange, label, duration, fault, userId, connectionId, apiKey };
}

/** Queues a run for each cell and sends its event the way the app does; resolves once every run is over. */
async function syncAll(cells: Cell[]): Promise<void> {
  const runs = await Promise.all(
    cells.map(async (cell) => {
      const { runId } = await enqueueRun({ connectionId: cell.connectionId, userId: cell.userId, trigger: 'manual' });
      cell.runId = runId;
      return { connectionId: cell.connectionId, runId, exchangeId: cell.exchange };
    }),
  );
  expect(await sendSyncRuns(runs, { timeoutMs: 30_000 })).toMatchObject({ ok: true });
  await executor.settled();
}

function executorRunOf(cell: Cell): RunRecord | undefined {
  return executor.runsOf('sync-connection').find((run) => run.event.data.runId === cell.runId);
}

const cells: Cell[] = [];
const outcomes = new Map<Cell, Outcome>();
/** Per exchange, what a clean sync of the new balances stores: what "fully updated" means. */
const updated = new Map<SimExchangeId, string[]>();
const original = new Map<SimExchangeId, string[]>();

describe('fault matrix', () => {
  beforeAll(async () => {
    for (const exchange of SIMULATED_EXCHANGES) {
      for (const { label, fault } of FAULTS) {
        for (const duration of ['persistent', 'once'] as const)
          cells.push(await newCell(exchange, label, duration, fault));
      }
      cells.push(await newCell(exchange, 'db-killed', 'once'));
    }
    const controls = await Promise.all(SIMULATED_EXCHANGES.map((exchange) => newCell(exchange, 'control', 'once')));

    // One clean sync per exchange (it also loads the exchange's markets, shared afterwards); every cell
    // starts from what it stored, applied directly (a sync each would double the file's time).
    await syncAll(controls);
    for (const control of controls) original.set(control.exchange, await holdingLines(control.connectionId));
    for (const cell of cells) {
      const control = controls.find((c) => c.exchange === cell.exchange)!;
      const rows = await getDb()
        .select({
          asset: holdings.asset,
          wallet: holdings.wallet,
          free: holdings.free,
          used: holdings.used,
          total: holdings.total,
        })
        .from(holdings)
        .where(eq(holdings.connectionId, control.connectionId));
      const { runId } = await enqueueRun({ connectionId: cell.connectionId, userId: cell.userId, trigger: 'connect' });
      await applySyncResult({ connectionId: cell.connectionId, runId, result: { rows, warnings: [] } });
      expect(await holdingLines(cell.connectionId)).toEqual(original.get(cell.exchange));
    }

    // New balances behind every account, then the faults, then one sync each, all at once.
    for (const cell of [...cells, ...controls]) sim.setWallets(cell.apiKey, simWallets(cell.exchange, 'after'));
    for (const cell of cells) {
      if (cell.fault) sim.addFault(cell.apiKey, { ...cell.fault, remaining: cell.duration === 'once' ? 1 : 1_000 });
    }
    await failApplyOnFirstAttempt(cells.filter((cell) => cell.label === 'db-killed').map((cell) => cell.connectionId));
    executor.reset();
    sim.clearLog();
    const timingOut = cells.filter((cell) => cell.label === 'timeout');
    await syncAll([...cells.filter((cell) => !timingOut.includes(cell)), ...controls]);
    setExchangeTimeout(String(EXCHANGE_TIMEOUT_MS));
    await syncAll(timingOut);
    setExchangeTimeout(previousTimeout);
    for (const control of controls) updated.set(control.exchange, await holdingLines(control.connectionId));
    await dropApplyFault();

    for (const cell of cells) {
      const [connection] = await getDb()
        .select({ status: exchangeConnections.status })
        .from(exchangeConnections)
        .where(eq(exchangeConnections.id, cell.connectionId));
      const [run] = await getDb()
        .select({
          status: syncRuns.status,
          errorKind: syncRuns.errorKind,
          attempts: syncRuns.attempts,
          warnings: syncRuns.warnings,
        })
        .from(syncRuns)
        .where(eq(syncRuns.id, cell.runId!));
      const pending = await getDb()
        .select({ id: syncRuns.id })
        .from(syncRuns)
        .where(
          sql`${syncRuns.connectionId} = ${cell.connectionId}::uuid and ${inArray(syncRuns.status, ['queued', 'running'])}`,
        );
      const stored = await holdingLines(cell.connectionId);
      const executorRun = executorRunOf(cell);
      outcomes.set(cell, {
        connection: connection!.status,
        run: run!.status,
        errorKind: run!.errorKind,
        attempts: run!.attempts,
        executorOps: executorRun?.ops ?? [],
        retryAfter: executorRun?.retryAfter ?? [],
        ...(({ label, kept }) => ({ holdings: label, keptWallets: kept }))(
          compareHoldings(stored, original.get(cell.exchange)!, updated.get(cell.exchange)!),
        ),
        warnings: run!.warnings,
        faultsServed: sim.log({ apiKey: cell.apiKey }).filter((entry) => entry.fault).length,
        pendingRuns: pending.length,
      });
    }
    printMatrix();
  }, 240_000);

  it('the new balances differ from the old, so "unchanged" and "updated" tell outcomes apart', () => {
    for (const exchange of SIMULATED_EXCHANGES) {
      expect(updated.get(exchange)).toHaveLength(3);
      expect(updated.get(exchange)).not.toEqual(original.get(exchange));
    }
  });

  it('every cell hit its fault, finished its run, and left holdings whole: unchanged or fully updated', () => {
    for (const cell of cells) {
      const outcome = outcomes.get(cell)!;
      const name = `${cell.exchange} × ${cell.label} (${cell.duration})`;
      if (cell.fault) expect(outcome.faultsServed, name).toBeGreaterThanOrEqual(1);
      expect(outcome.pendingRuns, name).toBe(0);
      expect(['succeeded', 'failed'], name).toContain(outcome.run);
      expect(outcome.holdings, name).not.toBe('PARTIAL');
      if (outcome.run === 'failed') expect(outcome.holdings, name).toBe('unchanged');
      // A sync keeps a wallet's stored rows only when it could not read that wallet, and says so.
      if (outcome.keptWallets.length > 0) {
        expect(outcome.run, name).toBe('succeeded');
        expect(outcome.warnings.length, name).toBeGreaterThanOrEqual(outcome.keptWallets.length);
      }
      // The run counts each attempt Inngest made; the executor saw the same number of attempts.
      const attemptsSeen = outcome.executorOps.filter((op) =>
        ['FunctionError', 'Completed', 'Failed'].includes(op),
      ).length;
      expect(outcome.attempts, name).toBe(attemptsSeen);
    }
  });

  // What each failure must end in, by what it means rather than how each exchange spells it.
  type Expected = { errorKind: string; connection: string; retried: boolean };
  const REFUSED: Expected = { errorKind: 'auth', connection: 'needs_reauth', retried: false };
  const TRANSIENT: Expected = { errorKind: 'transient', connection: 'error', retried: true };
  const expectedFor = (cell: Cell): Expected | undefined =>
    // Binance answers 403 only from its web application firewall (a request pattern it blocks for a
    // while), never for a key; the others mean the key lacks a permission.
    cell.label === '403' ? (cell.exchange === 'binance' ? TRANSIENT : REFUSED) : EXPECTED[cell.label];
  const EXPECTED: Record<string, Expected> = {
    '401': REFUSED,
    '429+Retry-After': { errorKind: 'rate_limit', connection: 'rate_limited', retried: true },
    '418': { errorKind: 'rate_limit', connection: 'rate_limited', retried: true },
    '500': { errorKind: 'transient', connection: 'error', retried: true },
    '502': { errorKind: 'transient', connection: 'error', retried: true },
    '503': { errorKind: 'transient', connection: 'error', retried: true },
    '504': { errorKind: 'transient', connection: 'error', retried: true },
    timeout: { errorKind: 'transient', connection: 'error', retried: true },
    html: { errorKind: 'malformed', connection: 'error', retried: true },
    truncated: { errorKind: 'malformed', connection: 'error', retried: true },
    nonce: { errorKind: 'clock', connection: 'error', retried: true },
    'clock-skew': { errorKind: 'clock', connection: 'error', retried: true },
  };

  it('a fault that outlasts every retry ends as its kind says: attempts, run, connection', () => {
    for (const cell of cells.filter((c) => c.duration === 'persistent')) {
      const outcome = outcomes.get(cell)!;
      const name = `${cell.exchange} × ${cell.label}`;
      expect(outcome.run, name).toBe('failed');
      const expected = expectedFor(cell)!;
      expect({ errorKind: outcome.errorKind, connection: outcome.connection }, name).toEqual({
        errorKind: expected.errorKind,
        connection: expected.connection,
      });
      expect(outcome.attempts, name).toBe(expected.retried ? 4 : 1);
    }
  });

  it('a rate limit waits for what the exchange asked (RetryAfterError), never for a fixed backoff', () => {
    for (const cell of cells.filter((c) => c.label === '429+Retry-After' && c.duration === 'persistent')) {
      // Every retry after a 429 waited what the exchange asked. (A loaded machine can add a retry of
      // another kind, e.g. a signed request held past the exchange's timestamp window.)
      const { retryAfter } = outcomes.get(cell)!;
      expect(retryAfter.length, cell.exchange).toBeGreaterThanOrEqual(1);
      expect(new Set(retryAfter), cell.exchange).toEqual(new Set(['7']));
    }
  });

  it('a fault gone after one request: retried and fully updated, except refused keys (never retried)', () => {
    for (const cell of cells.filter((c) => c.duration === 'once')) {
      const outcome = outcomes.get(cell)!;
      const name = `${cell.exchange} × ${cell.label}`;
      if (outcome.keptWallets.length > 0) {
        // The one failed request was an optional wallet's (KuCoin reads its main wallet beside the
        // trading one, whichever reaches the exchange first): the sync succeeds at once with a warning,
        // that wallet kept as it was and the rest updated.
        expect({ run: outcome.run, attempts: outcome.attempts, kept: outcome.keptWallets }, name).toEqual({
          run: 'succeeded',
          attempts: 1,
          kept: ['main'],
        });
      } else if (expectedFor(cell)?.retried === false) {
        expect({ run: outcome.run, attempts: outcome.attempts, connection: outcome.connection }, name).toEqual({
          run: 'failed',
          attempts: 1,
          connection: 'needs_reauth',
        });
        continue;
      } else {
        expect({ run: outcome.run, holdings: outcome.holdings }, name).toEqual({
          run: 'succeeded',
          holdings: 'updated',
        });
        // Retried: the first attempt met the fault (the printed matrix shows each count; a loaded machine
        // can add one).
        expect(outcome.attempts, name).toBeGreaterThanOrEqual(2);
      }
      expect(outcome.connection, name).toBe('active');
    }
  });
});

/**
 * The database fails in the middle of a sync's apply: a trigger on the hour's history, written by the
 * same statement as the holdings, raises the error PostgreSQL sends a connection it terminates (57P01),
 * on the first attempt only. PGlite has one in-process connection that cannot be killed; this is its
 * equivalent, and on PostgreSQL lib/sync/connection-killed.pg.test.ts terminates the backend for real.
 */
async function failApplyOnFirstAttempt(connectionIds: string[]) {
  // Armed now: only runs queued from here on fail, and only their first attempt (the run's `attempts`
  // was committed by the attempt's start; its status is not read, since the apply changes it in the
  // same statement).
  await getDb().execute(
    sql`create table apply_fault_targets (connection_id uuid primary key, armed_at timestamptz not null default clock_timestamp())`,
  );
  await getDb().execute(sql`insert into apply_fault_targets select unnest(${`{${connectionIds.join(',')}}`}::uuid[])`);
  await getDb().execute(sql`
    create function apply_fault() returns trigger language plpgsql as $$
    begin
      if exists (
        select 1 from apply_fault_targets t join sync_runs r on r.connection_id = t.connection_id
        where t.connection_id = new.connection_id and r.queued_at > t.armed_at and r.attempts = 1
      ) then
        raise exception 'terminating connection due to administrator command' using errcode = 'admin_shutdown';
      end if;
      return new;
    end $$`);
  await getDb().execute(sql`
    create trigger apply_fault before insert or update on balance_history
    for each row execute function apply_fault()`);
}

async function dropApplyFault() {
  await getDb().execute(sql`drop trigger apply_fault on balance_history`);
  await getDb().execute(sql`drop function apply_fault()`);
  await getDb().execute(sql`drop table apply_fault_targets`);
}

function printMatrix() {
  const columns = [...FAULTS.map((f) => f.label), 'db-killed'];
  const lines = ['Fault matrix: connection / run (error kind) / attempts / holdings', ''];
  const width = 56;
  for (const duration of ['persistent', 'once'] as const) {
    lines.push(`fault ${duration === 'persistent' ? 'outlasting every retry' : 'gone after one request'}:`);
    for (const label of columns) {
      const row = SIMULATED_EXCHANGES.map((exchange) => {
        const cell = cells.find((c) => c.exchange === exchange && c.label === label && c.duration === duration);
        if (!cell) return '—'.padEnd(width);
        const o = outcomes.get(cell)!;
        return `${o.connection} / ${o.run}${o.errorKind ? ` (${o.errorKind})` : ''} / ${o.attempts} / ${o.holdings}`.padEnd(
          width,
        );
      });
      lines.push(`  ${label.padEnd(16)} ${row.join(' ')}`);
    }
    lines.push(`  ${''.padEnd(16)} ${SIMULATED_EXCHANGES.map((e) => e.padEnd(width)).join(' ')}`, '');
  }
  console.info(lines.join('\n'));
}
