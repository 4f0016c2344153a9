import 'server-only';
import { and, count, eq, isNull } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { exchangeConnections, users } from '@/db/schema';
import { giveBack, take, tryAgainIn } from './limiter';
import {
  connectionChecksPerExchange,
  connectionChecksPerUser,
  maxConnectionsPerUser,
  syncAllPerUser,
  syncNowPerConnection,
} from './policies';

/** A refusal's sentence for the user, or null when the work may go ahead. */
export type Refusal = string | null;

/**
 * Test connection and Connect send a key to the exchange: per user and exchange, and per user over
 * all exchanges, only so many may go out, so the app cannot be used to try keys by the thousand
 * (nor get the installation's address blocked by an exchange).
 */
export async function takeConnectionCheck(userId: string, exchange: { id: string; name: string }): Promise<Refusal> {
  const perExchange = await take(connectionChecksPerExchange(), `${userId}:${exchange.id}`);
  if (!perExchange.ok) {
    return `Too many API key checks on ${exchange.name} in a short time. ${tryAgainIn(perExchange.retryAfterMs)}`;
  }
  const perUser = await take(connectionChecksPerUser(), userId);
  if (!perUser.ok) return `Too many API key checks in a short time. ${tryAgainIn(perUser.retryAfterMs)}`;
  return null;
}

/** Counts a run Sync now started; refused past the limit (the caller then removes the run). */
export async function takeSyncNow(connectionId: string): Promise<Refusal> {
  const taken = await take(syncNowPerConnection(), connectionId);
  return taken.ok ? null : `This connection was synced on request a moment ago. ${tryAgainIn(taken.retryAfterMs)}`;
}

/** Gives Sync now's count back when the run it counted was never sent. */
export function returnSyncNow(connectionId: string): Promise<void> {
  return giveBack(syncNowPerConnection(), connectionId, 1);
}

export async function takeSyncAll(userId: string): Promise<Refusal> {
  const taken = await take(syncAllPerUser(), userId);
  return taken.ok ? null : `Sync all was started a moment ago. ${tryAgainIn(taken.retryAfterMs)}`;
}

export function returnSyncAll(userId: string): Promise<void> {
  return giveBack(syncAllPerUser(), userId, 1);
}

export function connectionCapMessage(max: number): string {
  return `You have ${max} connected exchange accounts, the most one account can have. Disconnect one to add another.`;
}

/**
 * Refuses a new connection when the user already has the most allowed (disconnected ones do not
 * count). Inside the connect transaction, `lock` first locks the user's row, so two connects at once
 * are counted one after the other and neither passes the cap together.
 */
export async function connectionCapRefusal(
  userId: string,
  options: { db?: Database; lock?: boolean } = {},
): Promise<Refusal> {
  const db = options.db ?? getDb();
  if (options.lock) await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
  const [row] = await db
    .select({ connections: count() })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.userId, userId), isNull(exchangeConnections.disconnectedAt)));
  const max = maxConnectionsPerUser();
  return Number(row?.connections ?? 0) >= max ? connectionCapMessage(max) : null;
}
