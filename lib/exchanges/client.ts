import 'server-only';
import type { Exchange } from 'ccxt';
import { BudgetReservation } from '@/lib/limits/exchange-budget';
import type { ExchangeCredentials } from '@/lib/vault/credentials';
import { adapters } from './adapters';
import { loadExchangeClass } from './ccxt-loader';
import { withClient } from './call';
import { applyApiOverride } from './redirect';

export const DEFAULT_TIMEOUT_MS = 30_000;

function timeoutMs(): number {
  const configured = Number(process.env.EXCHANGE_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_TIMEOUT_MS;
}

const LIMITER_POLL_SECONDS = 0.02;

interface ClientOptions {
  sandbox?: boolean;
  /** What the loan is for ('balances', 'permissions'): its budget reservation is sized by the last one. */
  purpose?: string;
  /** Tests turn ccxt's client-side throttle off to measure raw speed; the app never does. */
  enableRateLimit?: boolean;
  timeout?: number;
}

/** The budget reservation of a client's current loan; a client outside a loan reserves per request. */
const reservations = new WeakMap<Exchange, BudgetReservation>();

/**
 * Every request a client sends draws from the exchange's installation-wide budget first (ccxt sends
 * each one through `fetch`, after its own per-client throttle): a request the budget has no room for
 * throws ExchangeBudgetExhaustedError instead of going out.
 */
function drawFromBudget(client: Exchange, id: string): void {
  const send = client.fetch.bind(client);
  client.fetch = (async (...request: Parameters<Exchange['fetch']>) => {
    const reservation = reservations.get(client);
    if (reservation) await reservation.request();
    else {
      const single = new BudgetReservation(id, 'unpooled');
      await single.request();
      await single.close();
    }
    return send(...request);
  }) as Exchange['fetch'];
}

async function construct(id: string, options: ClientOptions): Promise<Exchange> {
  const ExchangeClass = await loadExchangeClass(id);
  const adapter = adapters[id];
  const client = new ExchangeClass({
    enableRateLimit: options.enableRateLimit ?? true,
    timeout: options.timeout ?? timeoutMs(),
    options: { ...(adapter?.options ?? {}) },
  });
  // Never on: verbose logs print api keys and, for some exchanges, the plain passphrase.
  client.verbose = false;
  // ccxt's limiter looks for refilled tokens every 1 ms while a request waits; with dozens of syncs
  // waiting at once those wake-ups cost more CPU than the requests. Looking every 20 ms moves a
  // request by at most that, against waits of hundreds of milliseconds.
  client.tokenBucket = { ...client.tokenBucket, delay: LIMITER_POLL_SECONDS };
  client.initThrottler();
  if (options.sandbox) client.setSandboxMode(true);
  applyApiOverride(client);
  drawFromBudget(client, id);
  return client;
}

interface SharedMarkets {
  markets: Exchange['markets'];
  currencies: Exchange['currencies'];
}

const shared = new Map<string, Promise<SharedMarkets>>();

/**
 * Markets and currencies, loaded once per exchange per process on a keyless client and shared by
 * every user's client, so a balance sync makes one or two requests instead of eight or nine.
 */
function sharedMarkets(id: string, options: ClientOptions): Promise<SharedMarkets> {
  const key = `${id}:${options.sandbox ? 'sandbox' : 'live'}:${process.env.EXCHANGE_API_OVERRIDE ?? ''}`;
  let loading = shared.get(key);
  if (!loading) {
    loading = construct(id, options).then(async (client) => {
      const reservation = new BudgetReservation(id, 'markets');
      reservations.set(client, reservation);
      try {
        await client.loadMarkets();
      } finally {
        await reservation.close();
      }
      return { markets: client.markets, currencies: client.currencies };
    });
    shared.set(key, loading);
    // A failed load is not cached: the next sync tries again.
    loading.catch(() => shared.delete(key));
  }
  return loading;
}

/** Forget shared markets and idle clients (tests that restart the simulator, or a daily refresh). */
export function clearSharedMarkets(): void {
  shared.clear();
  idle.clear();
}

/**
 * A ccxt client for one account: one exchange module loaded, rate limiting on, a timeout, sandbox
 * when asked, shared markets set. Never log, return or serialise it: its JSON holds the credentials.
 * Syncs borrow pooled clients instead (`withExchangeClient`).
 */
export async function createExchangeClient(
  id: string,
  credentials: ExchangeCredentials,
  options: ClientOptions = {},
): Promise<Exchange> {
  return Object.assign(await buildClient(id, options), credentials);
}

/** A keyless client with the shared markets set. */
async function buildClient(id: string, options: ClientOptions): Promise<Exchange> {
  const [client, markets] = await Promise.all([construct(id, options), sharedMarkets(id, options)]);
  // ccxt types setMarkets' second parameter too narrowly; it accepts currencies.
  (client.setMarkets as (markets: unknown, currencies: unknown) => void)(markets.markets, markets.currencies);
  return client;
}

/**
 * Idle clients per exchange, reused across accounts. Building one costs more CPU than the rest of a
 * sync (a Binance client defines ~1,000 endpoint methods and their snake_case aliases, ~5 ms), so a
 * busy installation keeps a few ready. A client serves one account at a time: it gets that account's
 * credentials when lent and loses them, with everything else an account leaves behind, when it is
 * given back (see `wipe`).
 */
const idle = new Map<string, PooledClient[]>();
/** Past this many idle clients of one kind (~0.45 MB each for Binance), a returned client is dropped. */
export const MAX_IDLE_CLIENTS = 128;
/** A client idle this long is dropped, so a burst of syncs does not hold its clients' memory for ever. */
export const IDLE_CLIENT_TTL_MS = 10 * 60_000;

interface PooledClient {
  client: Exchange;
  /** The options as built, restored after every loan. */
  options: Record<string, unknown>;
  idleSince: number;
}

function poolKey(id: string, options: ClientOptions): string {
  return [
    id,
    options.sandbox ? 'sandbox' : 'live',
    options.enableRateLimit ?? true,
    options.timeout ?? timeoutMs(),
    process.env.EXCHANGE_API_OVERRIDE ?? '',
  ].join('|');
}

/**
 * Everything an account leaves on a client: its credentials, its last request (the headers carry the
 * key), its answers, cached accounts, and the options adapters and ccxt set for it (KuCoin's `hf`).
 */
function wipe(pooled: PooledClient): void {
  const fields = pooled.client as unknown as Record<string, unknown>;
  for (const credential of Object.keys(pooled.client.requiredCredentials)) fields[credential] = undefined;
  for (const field of [
    'last_http_response',
    'last_json_response',
    'last_response_headers',
    'last_request_headers',
    'last_request_body',
    'last_request_url',
    'last_request_path',
    'accounts',
    'accountsById',
  ]) {
    fields[field] = undefined;
  }
  pooled.client.cleanWsData();
  pooled.client.options = pooled.client.deepExtend({}, pooled.options);
}

async function borrow(key: string, id: string, credentials: ExchangeCredentials, options: ClientOptions) {
  const pooled = idle.get(key)?.pop() ?? (await buildPooled(id, options));
  // A limiter of its own per loan, as a new client has: one account's waits are not the next one's.
  pooled.client.initThrottler();
  Object.assign(pooled.client, credentials);
  return pooled;
}

async function buildPooled(id: string, options: ClientOptions): Promise<PooledClient> {
  const client = await buildClient(id, options);
  return { client, options: client.deepExtend({}, client.options), idleSince: 0 };
}

function giveBack(key: string, pooled: PooledClient): void {
  pooled.idleSince = Date.now();
  pruneIdleClients(pooled.idleSince);
  const clients = idle.get(key);
  if (!clients) idle.set(key, [pooled]);
  else if (clients.length < MAX_IDLE_CLIENTS) clients.push(pooled);
}

/**
 * Runs `run` on a client holding `credentials`, lent from the pool; a thrown error carries the
 * exchange's Retry-After (`withClient`). The client is wiped either way and
 * goes back when `run` succeeds; after a failure it is dropped, since requests `run` started may
 * still be in flight and would write their answers onto the next account's client.
 */
export async function withExchangeClient<T>(
  id: string,
  credentials: ExchangeCredentials,
  options: ClientOptions,
  run: (client: Exchange) => Promise<T>,
): Promise<T> {
  const key = poolKey(id, options);
  const pooled = await borrow(key, id, credentials, options);
  const reservation = new BudgetReservation(id, options.purpose ?? 'request');
  reservations.set(pooled.client, reservation);
  let succeeded = false;
  try {
    const result = await withClient(pooled.client, run);
    succeeded = true;
    return result;
  } finally {
    reservations.delete(pooled.client);
    wipe(pooled);
    if (succeeded) giveBack(key, pooled);
    await reservation.close();
  }
}

/**
 * Runs `run` on a pooled client holding no key, for public data (tickers): the same markets, budget
 * and pool as an account's client, with nothing to sign with.
 */
export function withPublicExchangeClient<T>(
  id: string,
  options: ClientOptions,
  run: (client: Exchange) => Promise<T>,
): Promise<T> {
  return withExchangeClient(id, {} as ExchangeCredentials, options, run);
}

/** Drops clients idle for over IDLE_CLIENT_TTL_MS. Loans take the newest, so each list is oldest first. */
export function pruneIdleClients(now = Date.now()): void {
  for (const [key, clients] of idle) {
    const stale = clients.findIndex((pooled) => now - pooled.idleSince <= IDLE_CLIENT_TTL_MS);
    if (stale === -1) idle.delete(key);
    else if (stale > 0) clients.splice(0, stale);
  }
}

/** Idle clients of one kind: tests check what a returned client still holds. */
export function idleClients(id: string, options: ClientOptions = {}): readonly Exchange[] {
  return (idle.get(poolKey(id, options)) ?? []).map((pooled) => pooled.client);
}
