// Shared by the lib/connections tests: simulator accounts, row readers and stand-ins for Inngest's event API
// (users and connections come from ./factories).
import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { getDb } from '@/db';
import type { BalanceRow } from '@/lib/exchanges/types';
import { exchangeConnections, exchangeCredentials, holdings, syncRuns } from '@/db/schema';
import { READ_ONLY, type ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import type { SimAccount, SimPermissions } from '@/lib/testing/exchange-simulator/types';
import { inngest } from '@/lib/jobs/client';
import { startHttpServer } from '@/lib/testing/http-server';

export { refusingUrl } from '@/lib/testing/http-server';
import { setKeyring } from '@/lib/vault/keyring';
import { useTestKeyring } from '@/lib/testing/factories';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const BINANCE_SECRET = 'sim-binance-secret-NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65X';

export const WALLETS: SimAccount['wallets'] = {
  spot: { BTC: { free: '0.5', used: '0.1' }, ETH: { free: '2', used: '0' } },
  funding: { USDT: { free: '250', used: '5.5' } },
};

/** Every request of one balance read on Binance, after a permission probe: what connect may cost. */
export const PROBE_AND_ONE_BINANCE_READ = [
  'GET /sapi/v1/account/apiRestrictions',
  'GET /api/v3/account',
  'POST /sapi/v1/asset/get-funding-asset',
  'GET /sapi/v1/simple-earn/flexible/position',
  'GET /sapi/v1/simple-earn/locked/position',
];

/** A Binance account in the simulator; `credentials` is what the connect form would send. */
export function binanceAccount(
  sim: ExchangeSimulator,
  options: { permissions?: Partial<SimPermissions>; wallets?: SimAccount['wallets'] } = {},
) {
  const apiKey = `binance-${randomBytes(20).toString('hex')}`;
  sim.addAccount({
    exchange: 'binance',
    apiKey,
    secret: BINANCE_SECRET,
    wallets: options.wallets ?? WALLETS,
    permissions: { ...READ_ONLY, ...options.permissions },
  });
  const requests = () => sim.log({ apiKey }).map((entry) => `${entry.method} ${entry.path}`);
  return { apiKey, credentials: { apiKey, secret: BINANCE_SECRET }, requests };
}

export interface ReceivedEvent {
  name: string;
  data: Record<string, unknown>;
  id?: string;
}

/** A stand-in for Inngest's event API (`POST /e/:key`) that records what it receives. */
export async function startFakeEventApi() {
  const events: ReceivedEvent[] = [];
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/e/')) {
        res.writeHead(404).end();
        return;
      }
      const received = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedEvent | ReceivedEvent[];
      const batch = Array.isArray(received) ? received : [received];
      events.push(...batch);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ids: batch.map(() => randomUUID()), status: 200 }));
    });
  });
  return { ...server, events };
}

/** Accepts connections and never answers: the case the SDK itself would wait minutes for. */
export function startSilentServer() {
  return startHttpServer(() => {});
}

/**
 * Points the Inngest client at `url` in dev mode. The client copies the environment when it is created
 * (at import), so it is told to read it again.
 */
export function pointInngestAt(url: string): void {
  process.env.INNGEST_DEV = '1';
  process.env.INNGEST_BASE_URL = url;
  inngest.setEnvVars();
}

export async function runsOf(connectionId: string) {
  return getDb().select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
}

export async function holdingsOf(connectionId: string) {
  return getDb()
    .select({ asset: holdings.asset, wallet: holdings.wallet, total: holdings.total })
    .from(holdings)
    .where(eq(holdings.connectionId, connectionId));
}

/** A connection's holdings as sorted `wallet:asset=total` lines: what "unchanged or fully updated" compares. */
export async function holdingLines(connectionId: string): Promise<string[]> {
  const rows = await holdingsOf(connectionId);
  return rows.map((row) => `${row.wallet}:${row.asset}=${Number(row.total)}`).sort();
}

/** The connection's row as stored (it must exist). */
export async function connectionRow(connectionId: string) {
  const [row] = await getDb().select().from(exchangeConnections).where(eq(exchangeConnections.id, connectionId));
  if (!row) throw new Error(`connectionRow: no connection ${connectionId}`);
  return row;
}

/** The run's row as stored (it must exist). */
export async function runRow(runId: string) {
  const [row] = await getDb().select().from(syncRuns).where(eq(syncRuns.id, runId));
  if (!row) throw new Error(`runRow: no run ${runId}`);
  return row;
}

export async function credentialsRow(connectionId: string) {
  const [row] = await getDb()
    .select()
    .from(exchangeCredentials)
    .where(eq(exchangeCredentials.connectionId, connectionId));
  return row;
}

/** Whole-table counts for one user: what "nothing saved" checks. */
export async function savedRowsOf(userId: string) {
  const [connections, credentials, runs, held] = await Promise.all([
    getDb().select().from(exchangeConnections).where(eq(exchangeConnections.userId, userId)),
    getDb().select().from(exchangeCredentials).where(eq(exchangeCredentials.userId, userId)),
    getDb().select().from(syncRuns).where(eq(syncRuns.userId, userId)),
    getDb().select().from(holdings).where(eq(holdings.userId, userId)),
  ]);
  return { connections: connections.length, credentials: credentials.length, runs: runs.length, holdings: held.length };
}

export const sortHoldings = <T extends { asset: string; wallet: string }>(rows: T[]) =>
  [...rows].sort((a, b) => `${a.wallet}/${a.asset}`.localeCompare(`${b.wallet}/${b.asset}`));

/**
 * A test keyring and a fake Inngest event API for the whole file; each test starts with no events
 * received and the Inngest client pointed at the fake. `use` receives the running fake.
 */
export function withKeyringAndEventApi(use: (eventApi: Awaited<ReturnType<typeof startFakeEventApi>>) => void): void {
  let eventApi: Awaited<ReturnType<typeof startFakeEventApi>> | undefined;
  beforeAll(async () => {
    useTestKeyring();
    eventApi = await startFakeEventApi();
    use(eventApi);
  });
  afterAll(async () => {
    setKeyring(undefined);
    await eventApi?.close();
  });
  beforeEach(() => {
    if (!eventApi) return;
    eventApi.events.length = 0;
    pointInngestAt(eventApi.url);
  });
}

/** One balance as the exchange layer reports it, everything free. */
export const balanceRow = (asset: string, total: string, wallet = 'spot'): BalanceRow => ({
  asset,
  wallet,
  free: total,
  used: '0',
  total,
});

/** The SQLSTATE of a failed statement: drizzle wraps the driver's error, whose cause carries it. */
export function sqlState(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code;
}

/** Deletes the connection in a transaction that stays open until `commit()` (for races on PostgreSQL). */
export async function deleteInOpenTransaction(connectionId: string) {
  let commit!: () => void;
  const committed = new Promise<void>((resolve) => (commit = resolve));
  let deleted!: () => void;
  const deletedYet = new Promise<void>((resolve) => (deleted = resolve));
  const transaction = getDb().transaction(async (tx) => {
    await tx.delete(exchangeConnections).where(eq(exchangeConnections.id, connectionId));
    deleted();
    await committed;
  });
  await deletedYet;
  return { commit: async () => (commit(), transaction) };
}
