// Test-side handles on what e2e/server.ts started: the exchange simulator's control API, the test
// executor's control API, and the suite's database.
import { randomBytes, randomUUID } from 'node:crypto';
import { expect, type Page } from '@playwright/test';
import postgres from 'postgres';
import { READ_ONLY } from '@/lib/testing/exchange-simulator/server';
import type {
  SimAccount,
  SimExchangeId,
  SimHistoryEvent,
  SimPermissions,
} from '@/lib/testing/exchange-simulator/types';
import { readE2eState, type E2eState } from './state';
import { coinbasePrivateKey } from '@/lib/testing/exchange-accounts';

let cached: E2eState | undefined;
const state = () => (cached ??= readE2eState());

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

export type Wallets = SimAccount['wallets'];

export interface SimKey {
  exchange: SimExchangeId;
  apiKey: string;
  secret: string;
  passphrase?: string;
  /** What a person types into the connect form, by the field's accessible name. */
  form: Record<string, string>;
}

function newKey(exchange: SimExchangeId): Omit<SimKey, 'form'> {
  const tag = randomBytes(6).toString('hex');
  switch (exchange) {
    case 'binance':
      return {
        exchange,
        apiKey: `binance-${randomBytes(24).toString('hex')}`,
        secret: randomBytes(32).toString('hex'),
      };
    case 'kraken':
      return {
        exchange,
        apiKey: `kraken-${tag}-${randomBytes(20).toString('hex')}`,
        secret: randomBytes(64).toString('base64'),
      };
    case 'kucoin':
      return {
        exchange,
        apiKey: `kucoin-${tag}${randomBytes(8).toString('hex')}`,
        secret: randomUUID(),
        passphrase: `pass-${tag}`,
      };
    case 'coinbase': {
      // A CDP ES256 key as Coinbase hands it out: the key name and a SEC1 PEM.
      return {
        exchange,
        apiKey: `organizations/${randomUUID()}/apiKeys/${randomUUID()}`,
        secret: coinbasePrivateKey(),
      };
    }
  }
}

/** Opens an account on the simulated exchange and answers the key a person would paste. */
export async function simAccount(
  exchange: SimExchangeId,
  wallets: Wallets,
  permissions: Partial<SimPermissions> = {},
): Promise<SimKey> {
  return openSimAccount(newKey(exchange), wallets, permissions);
}

/** Opens an account on the simulated exchange for a key chosen by the test (the canary sweep's). */
export async function openSimAccount(
  key: Omit<SimKey, 'form'>,
  wallets: Wallets,
  permissions: Partial<SimPermissions> = {},
): Promise<SimKey> {
  await control(state().simulatorUrl, 'POST', '/_sim/accounts', {
    ...key,
    wallets,
    permissions: { ...READ_ONLY, ...permissions },
  });
  const form: Record<string, string> = { 'API key': key.apiKey, 'API secret': key.secret };
  if (key.passphrase) form.Passphrase = key.passphrase;
  return { ...key, form };
}

/** A second key on the same simulated account is not possible; this opens a new account with the same wallets. */
export const setWallets = (key: SimKey, wallets: Wallets) =>
  control(state().simulatorUrl, 'PUT', `/_sim/accounts/${encodeURIComponent(key.apiKey)}/wallets`, wallets);

/** Gives the simulated account a past (exchange-neutral events it serves from its history endpoints). */
export const setHistory = (key: Pick<SimKey, 'apiKey'>, events: SimHistoryEvent[]) =>
  control(state().simulatorUrl, 'PUT', `/_sim/accounts/${encodeURIComponent(key.apiKey)}/history`, events);

/** Makes the simulated exchange answer the key's next `remaining` requests with a fault (see the README's list). */
export const injectFault = (
  key: Pick<SimKey, 'apiKey'>,
  fault: { kind: string; remaining?: number; retryAfterSeconds?: number; delayMs?: number; pathIncludes?: string },
) => control(state().simulatorUrl, 'POST', `/_sim/accounts/${encodeURIComponent(key.apiKey)}/faults`, fault);

/** The exchange forgets the key: every later request with it is refused as unauthorised. */
export const revokeKey = (key: SimKey) =>
  control(state().simulatorUrl, 'DELETE', `/_sim/accounts/${encodeURIComponent(key.apiKey)}`);

export interface ExecutorRun {
  runId: string;
  functionId: string;
  eventName: string;
  status: string;
  ops: string[];
  error?: { name: string; message: string };
}

/** Runs a cron function now through the test executor, and waits for everything it fanned out to. */
export const tick = (functionId: string) =>
  control(state().executorUrl, 'POST', `/_control/tick/${functionId}`) as Promise<ExecutorRun>;

export const executorRuns = (functionId?: string) =>
  control(
    state().executorUrl,
    'GET',
    `/_control/runs${functionId ? `?functionId=${encodeURIComponent(functionId)}` : ''}`,
  ) as Promise<ExecutorRun[]>;

/** Every event the app sent and every raw answer its /api/inngest route gave the executor. */
export const executorTranscript = () => control(state().executorUrl, 'GET', '/_control/transcript');

export const executorSettled = () => control(state().executorUrl, 'POST', '/_control/settled');

let sqlClient: postgres.Sql | undefined;

/**
 * The suite's database, for checks only the database can answer (ciphertext at rest, runs): the
 * PostgreSQL database, or the PGlite folder that e2e/server.ts serves over the wire protocol.
 */
export function database(): postgres.Sql {
  // One connection with named (prepared) statements: on PGlite it shares one session with the app,
  // whose unnamed statement an unnamed Parse from here could replace mid-query.
  sqlClient ??= postgres(state().databaseUrl, { max: 1, prepare: true, onnotice: () => {} });
  return sqlClient;
}

/** The exchange's display name in the catalog, as the combobox lists it. */
const EXCHANGE_NAMES: Record<SimExchangeId, string> = {
  binance: 'Binance',
  coinbase: 'Coinbase',
  kraken: 'Kraken',
  kucoin: 'KuCoin',
};

/** Picks the exchange in the connect form's searchable combobox. */
export async function chooseExchange(page: Page, exchange: SimExchangeId) {
  const combobox = page.getByRole('combobox', { name: 'Exchange' });
  await combobox.click();
  await combobox.fill(EXCHANGE_NAMES[exchange]);
  await page
    .getByRole('option', { name: new RegExp(`^${EXCHANGE_NAMES[exchange]}\\b`) })
    .first()
    .click();
}

export async function fillKey(page: Page, key: SimKey) {
  for (const [name, value] of Object.entries(key.form)) await page.getByLabel(name, { exact: true }).fill(value);
}

/** Connects through the UI and answers the new connection's id (from the detail page's URL). */
export async function connectThroughUi(page: Page, key: SimKey, label?: string): Promise<string> {
  await page.goto('/exchanges/new');
  await chooseExchange(page, key.exchange);
  await fillKey(page, key);
  if (label) await page.getByLabel('Label', { exact: true }).fill(label);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page).toHaveURL(/\/exchanges\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  return new URL(page.url()).pathname.split('/').pop()!;
}
