import 'server-only';
import type { Exchange } from 'ccxt';
import type { ExchangeCredentials } from '@/lib/vault/credentials';
import { adapters } from './adapters';
import { loadExchangeClass } from './ccxt-loader';
import { applyApiOverride } from './redirect';

export const DEFAULT_TIMEOUT_MS = 30_000;

function timeoutMs(): number {
  const configured = Number(process.env.EXCHANGE_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_TIMEOUT_MS;
}

interface ClientOptions {
  sandbox?: boolean;
  /** Tests turn ccxt's client-side throttle off to measure raw speed; the app never does. */
  enableRateLimit?: boolean;
  timeout?: number;
}

async function construct(
  id: string,
  credentials: ExchangeCredentials | null,
  options: ClientOptions,
): Promise<Exchange> {
  const ExchangeClass = await loadExchangeClass(id);
  const adapter = adapters[id];
  const client = new ExchangeClass({
    ...(credentials ?? {}),
    enableRateLimit: options.enableRateLimit ?? true,
    timeout: options.timeout ?? timeoutMs(),
    options: { ...(adapter?.options ?? {}) },
  });
  // Never on: verbose logs print api keys and, for some exchanges, the plain passphrase.
  client.verbose = false;
  if (options.sandbox) client.setSandboxMode(true);
  applyApiOverride(client);
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
    loading = construct(id, null, options).then(async (client) => {
      await client.loadMarkets();
      return { markets: client.markets, currencies: client.currencies };
    });
    shared.set(key, loading);
    // A failed load is not cached: the next sync tries again.
    loading.catch(() => shared.delete(key));
  }
  return loading;
}

/** Forget shared markets (tests that restart the simulator, or a daily refresh). */
export function clearSharedMarkets(): void {
  shared.clear();
}

/**
 * A ccxt client for one account: one exchange module loaded, rate limiting on, a timeout, sandbox
 * when asked, shared markets set. Never log, return or serialise it: its JSON holds the credentials.
 */
export async function createExchangeClient(
  id: string,
  credentials: ExchangeCredentials,
  options: ClientOptions = {},
): Promise<Exchange> {
  const [client, markets] = await Promise.all([construct(id, credentials, options), sharedMarkets(id, options)]);
  // ccxt types setMarkets' second parameter too narrowly; it accepts currencies.
  (client.setMarkets as (markets: unknown, currencies: unknown) => void)(markets.markets, markets.currencies);
  return client;
}
