import 'server-only';
import { getToken } from 'next-auth/jwt';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { resolveAuthSecrets } from './secret';
import { isSessionCurrent } from './user-sessions';

export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
}

const SESSION_COOKIE = 'authjs.session-token';
const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

/**
 * The signed-in user, or null: the session cookie is decrypted, and its session (not signed out or
 * expired) and version checked against the database. It reads `cookies()` rather than going through
 * `auth()`, because Next updates `cookies()` but not `headers()` after an action sets a cookie, and an
 * action that has just replaced the session (password change) must see the new one when the page
 * re-renders.
 */
export async function getCurrentUser(): Promise<CurrentUser | null> {
  const store = await cookies();
  const secure = store.getAll().some((cookie) => cookie.name.startsWith(SECURE_SESSION_COOKIE));
  const cookieName = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  const cookieHeader = store
    .getAll()
    .filter((cookie) => cookie.name.startsWith(cookieName))
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .join('; ');
  if (!cookieHeader) return null;
  const token = await getToken({
    req: { headers: new Headers({ cookie: cookieHeader }) },
    secret: resolveAuthSecrets(),
    secureCookie: secure,
    cookieName,
    salt: cookieName,
  });
  if (!token?.sub || typeof token.sv !== 'number' || typeof token.sid !== 'string' || !token.email) return null;
  if (!(await isSessionCurrent({ userId: token.sub, sessionId: token.sid, version: token.sv }))) return null;
  return { id: token.sub, email: token.email, name: token.name ?? null };
}

/** For pages and data functions: the signed-in user, or a redirect to sign-in. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  return user;
}
