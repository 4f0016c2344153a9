import NextAuth from 'next-auth';
import { authConfig } from '@/lib/auth/config';

// An optimistic redirect to sign-in for visitors without a valid session cookie. Authorisation
// happens again, against the database, in every page, server action and data function.
const { auth } = NextAuth(authConfig);

export default auth;

export const config = {
  matcher: ['/', '/portfolio/:path*', '/exchanges/:path*', '/settings/:path*'],
};
