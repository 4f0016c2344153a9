// Signing out ends the session on the server, not only in the browser: a copy of the cookie taken before
// sign-out is refused afterwards by every door a browser can knock on — pages and data functions
// (getCurrentUser), server actions (authActionClient) and Auth.js's own /api/auth/session (its jwt callback).
//
// `next/headers` is replaced by the test browser of lib/testing/session.ts; next-auth's sign-in and
// sign-out, the cookie encryption and the database checks all run for real.
import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';
import { getCurrentUser } from '@/lib/auth/session';
import { withTestDatabase } from '@/lib/testing/database';
import { callAction } from '@/lib/testing/server-actions';
import { actAs, signUpAndSignIn, type TestSession } from '@/lib/testing/session';
import { signOutAction } from './(app)/actions';
import { syncAllAction } from './(app)/exchanges/actions';

vi.mock('next/headers', async () => (await import('@/lib/testing/session')).nextHeaders);

withTestDatabase();

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';

/** What Auth.js's session endpoint answers the browser holding this session's cookies. */
async function sessionEndpoint(session: TestSession): Promise<unknown> {
  const { GET } = await import('@/lib/auth/handlers');
  const cookie = [...session.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await GET(new NextRequest('http://coinsphere.test/api/auth/session', { headers: { cookie } }));
  expect(response.status).toBe(200);
  return response.json();
}

describe('sign-out', () => {
  it('refuses the signed-out cookie when it is replayed to a page, an action and the session endpoint', async () => {
    const session = await signUpAndSignIn();
    // Before sign-out the same cookie opens every door, so the refusals below are the sign-out's doing.
    actAs(session);
    expect(await getCurrentUser()).toMatchObject({ id: session.userId });
    expect(await callAction(syncAllAction, {})).toEqual({ data: { ok: true, connections: 0 } });
    expect(await sessionEndpoint(session)).toMatchObject({ user: { id: session.userId } });

    actAs(session);
    expect(await callAction(signOutAction, {})).toEqual({ redirect: '/sign-in' });

    // An attacker who copied the cookie earlier sends it again.
    actAs(session);
    expect(await getCurrentUser()).toBeNull();
    expect(await callAction(syncAllAction, {})).toEqual({ serverError: SESSION_ENDED });
    expect(await sessionEndpoint(session)).toBeNull();
  });

  it('ends only the session that signed out: the same account on another device stays signed in', async () => {
    const laptop = await signUpAndSignIn();
    const { signIn } = await import('@/lib/auth');
    actAs(null);
    await signIn('credentials', { email: laptop.email, password: laptop.password, redirect: false });
    const phone: TestSession = { ...laptop, cookies: new Map((await nextCookies()).map((c) => [c.name, c.value])) };
    expect(phone.cookies).not.toEqual(laptop.cookies);

    actAs(laptop);
    expect(await callAction(signOutAction, {})).toEqual({ redirect: '/sign-in' });

    actAs(phone);
    expect(await getCurrentUser()).toMatchObject({ id: laptop.userId });
    expect(await callAction(syncAllAction, {})).toEqual({ data: { ok: true, connections: 0 } });
    actAs(laptop);
    expect(await getCurrentUser()).toBeNull();
  });
});

async function nextCookies() {
  const { cookies } = await import('next/headers');
  return (await cookies()).getAll();
}
