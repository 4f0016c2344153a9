import type { LimitPolicy } from './limiter';
import { logger } from '@/lib/log';

type Env = Record<string, string | undefined>;

const warned = new Set<string>();

function warnOnce(variable: string, value: string, expected: string): void {
  if (warned.has(variable)) return;
  warned.add(variable);
  logger.warn({ variable }, `${variable}=${JSON.stringify(value)} is not ${expected}; using the default`);
}

/**
 * A limit from the environment: `N` (N per the default window) or `N/S` (N per S seconds), both
 * whole and positive. Anything else keeps the default, with one warning.
 */
export function policyFromEnv(name: string, variable: string, fallback: [number, number], env: Env): LimitPolicy {
  const raw = env[variable]?.trim();
  const [points, windowSeconds] = fallback;
  if (!raw) return { name, points, windowSeconds };
  const match = /^(\d+)(?:\s*\/\s*(\d+))?$/.exec(raw);
  const parsed = match ? { points: Number(match[1]), windowSeconds: Number(match[2] ?? windowSeconds) } : null;
  if (!parsed || parsed.points < 1 || parsed.windowSeconds < 1) {
    warnOnce(variable, raw, 'N or N/seconds (whole numbers above 0)');
    return { name, points, windowSeconds };
  }
  return { name, ...parsed };
}

function wholeFromEnv(variable: string, fallback: number, range: [number, number], env: Env): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
    warnOnce(variable, raw, `a whole number from ${range[0]} to ${range[1]}`);
    return fallback;
  }
  return value;
}

const MINUTE = 60;
const HOUR = 3600;

/** Test connection and Connect together, per user and exchange: the app must not be a key-guessing proxy. */
export const connectionChecksPerExchange = (env: Env = process.env) =>
  policyFromEnv('connection-checks-exchange', 'LIMIT_CONNECTION_CHECKS_PER_EXCHANGE', [10, 10 * MINUTE], env);

/** Test connection and Connect together, per user across all exchanges. */
export const connectionChecksPerUser = (env: Env = process.env) =>
  policyFromEnv('connection-checks', 'LIMIT_CONNECTION_CHECKS', [30, HOUR], env);

/** Sync now, per connection: runs it starts (pressing again while one is pending starts none). */
export const syncNowPerConnection = (env: Env = process.env) =>
  policyFromEnv('sync-now', 'LIMIT_SYNC_NOW', [1, 30], env);

/** Sync all, per user. */
export const syncAllPerUser = (env: Env = process.env) => policyFromEnv('sync-all', 'LIMIT_SYNC_ALL', [1, MINUTE], env);

/** Sign-ups per client address (each one costs an argon2 hash and a new account). */
export const signUpsPerAddress = (env: Env = process.env) =>
  policyFromEnv('sign-ups', 'LIMIT_SIGN_UPS', [10, HOUR], env);

export const DEFAULT_EXCHANGE_BUDGET: [number, number] = [600, MINUTE];

/**
 * Outbound requests to one exchange from the whole installation: `EXCHANGE_BUDGET_<ID>` (e.g.
 * `EXCHANGE_BUDGET_BINANCE=1200/60`), else `EXCHANGE_BUDGET_DEFAULT`, else 600 a minute.
 */
export function exchangeBudget(exchangeId: string, env: Env = process.env): LimitPolicy {
  const fallback = policyFromEnv('exchange-budget', 'EXCHANGE_BUDGET_DEFAULT', DEFAULT_EXCHANGE_BUDGET, env);
  const variable = `EXCHANGE_BUDGET_${exchangeId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return policyFromEnv('exchange-budget', variable, [fallback.points, fallback.windowSeconds], env);
}

/** The `purpose` of an exchange client lent for a history import (lib/exchanges/client.ts). */
export const HISTORY_PURPOSE = 'history';

export const DEFAULT_EXCHANGE_HISTORY_BUDGET: [number, number] = [120, MINUTE];

/**
 * Outbound history-import requests to one exchange from the whole installation, counted apart from
 * `exchangeBudget` so a backfill can never spend what balance syncs need: `EXCHANGE_HISTORY_BUDGET_<ID>`,
 * else `EXCHANGE_HISTORY_BUDGET_DEFAULT`, else 120 a minute. The operator keeps the two together
 * under the exchange's own limit.
 */
export function exchangeHistoryBudget(exchangeId: string, env: Env = process.env): LimitPolicy {
  const fallback = policyFromEnv(
    'exchange-history-budget',
    'EXCHANGE_HISTORY_BUDGET_DEFAULT',
    DEFAULT_EXCHANGE_HISTORY_BUDGET,
    env,
  );
  const variable = `EXCHANGE_HISTORY_BUDGET_${exchangeId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return policyFromEnv('exchange-history-budget', variable, [fallback.points, fallback.windowSeconds], env);
}

/** The budget a piece of exchange work draws from: history imports their own, everything else the shared one. */
export function budgetFor(exchangeId: string, purpose: string, env: Env = process.env): LimitPolicy {
  return purpose === HISTORY_PURPOSE ? exchangeHistoryBudget(exchangeId, env) : exchangeBudget(exchangeId, env);
}

export const DEFAULT_MAX_CONNECTIONS = 50;

/** Connections one user may have at once (disconnected ones do not count). */
export const maxConnectionsPerUser = (env: Env = process.env) =>
  wholeFromEnv('MAX_CONNECTIONS_PER_USER', DEFAULT_MAX_CONNECTIONS, [1, 10_000], env);

export const DEFAULT_SYNC_INTERVAL_SECONDS = 300;

/** The sync interval a new connection gets; users change theirs per connection (60 s to 24 h). */
export const defaultSyncIntervalSeconds = (env: Env = process.env) =>
  wholeFromEnv('SYNC_INTERVAL_SECONDS', DEFAULT_SYNC_INTERVAL_SECONDS, [60, 86_400], env);

export const DEFAULT_HISTORY_INTERVAL_SECONDS = 3600;

/** How often a connection's history is imported again after its backfill: `HISTORY_INTERVAL_SECONDS` (5 min to 7 days). */
export const historyIntervalSeconds = (env: Env = process.env) =>
  wholeFromEnv('HISTORY_INTERVAL_SECONDS', DEFAULT_HISTORY_INTERVAL_SECONDS, [300, 604_800], env);
