import NextAuth from 'next-auth';
import { authConfig } from '@/lib/auth/config';

// An optimistic redirect to sign-in for visitors without a session cookie. Authorisation happens
// again, against the database, in every page, server action and data function.
export const { auth: proxy } = NextAuth(authConfig);

export const config = {
  matcher: ['/portfolio/:path*', '/settings/:path*'],
};
