import NextAuth, { type NextAuthRequest } from 'next-auth';
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { authConfig } from '@/lib/auth/config';
import { contentSecurityPolicy, newNonce } from '@/lib/security-headers/content-security-policy';

const { auth } = NextAuth(authConfig);

const SIGNED_IN_ONLY = /^\/(?:portfolio|exchanges|settings)?(?:\/|$)/;

/**
 * Runs before every page. It gives the page this request's Content-Security-Policy: the nonce goes on
 * the request (Next reads it from there and puts it on the scripts it renders) and on the response.
 * It also sends visitors without a valid session cookie to sign-in, an optimistic redirect only:
 * authorisation happens again, against the database, in every page, server action and data function.
 */
const withSession = auth((request: NextAuthRequest, _event: NextFetchEvent) => {
  if (!request.auth && SIGNED_IN_ONLY.test(request.nextUrl.pathname)) {
    return NextResponse.redirect(new URL('/sign-in', request.nextUrl));
  }
  const policy = contentSecurityPolicy({ nonce: newNonce(), development: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
});

export default async function proxy(request: NextRequest, event: NextFetchEvent) {
  // With a configuration built per request (authConfig is a function), next-auth hands the wrapped
  // handler back through a promise, whatever its type says.
  return (await withSession)(request, event);
}

export const config = {
  matcher: [
    {
      // Pages only: not route handlers, built assets or the favicon, and not link prefetches (they fetch
      // a page's RSC payload, not a document, so no policy applies to them; pages check the session).
      source: '/((?!api/|_next/static/|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
