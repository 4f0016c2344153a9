import { verifyAgainstDummy, verifyPassword } from './password';
import { ACCOUNT_POLICY, IP_POLICY, accountKey, clearFailures, ipKey, lockedUntil, recordFailure } from './throttle';
import { findUserForSignIn, type SessionUser } from './users';

export type AuthenticateResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

/**
 * Checks an email and password. Unknown email and wrong password give the same answer after the
 * same work (a dummy verify); failures count per account and per address, and a locked subject is
 * refused before any password is checked, even the right one.
 */
export async function authenticate(email: string, password: string, ip: string): Promise<AuthenticateResult> {
  const account = accountKey(email);
  const address = ipKey(ip);
  const now = new Date();
  const until = await lockedUntil([account, address], now);
  if (until) return { ok: false, reason: 'locked', retryAfterMs: until.getTime() - now.getTime() };

  const user = await findUserForSignIn(email);
  const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !valid) {
    await Promise.all([recordFailure(account, ACCOUNT_POLICY, now), recordFailure(address, IP_POLICY, now)]);
    return { ok: false, reason: 'invalid' };
  }
  await clearFailures(account);
  const { passwordHash: _hash, ...sessionUser } = user;
  return { ok: true, user: sessionUser };
}

/** How long the given subject must still wait, for the "try again in N minutes" message. */
export async function signInRetryAfterMs(email: string, ip: string): Promise<number> {
  const now = new Date();
  const until = await lockedUntil([accountKey(email), ipKey(ip)], now);
  return until ? until.getTime() - now.getTime() : 0;
}
