import type { NextAuthConfig } from 'next-auth';
import { resolveAuthSecrets } from './secret';
import { logger } from '@/lib/log';

/** How long a session lasts without use; each use within it extends it (token and server record alike). */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/**
 * The part of the Auth.js configuration that needs no database, shared by `proxy.ts` (an
 * optimistic redirect for signed-out visitors) and the full configuration in `./index.ts`.
 * The proxy is not the guard: every page, action and data function checks the session itself.
 */
export const authConfig = () =>
  ({
    // Resolved per request rather than at import, so `next build` needs no secret.
    secret: resolveAuthSecrets(),
    // Self-hosted behind a proxy that overwrites Host / X-Forwarded-Host (see README).
    trustHost: true,
    pages: { signIn: '/sign-in' },
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS, updateAge: 60 * 60 },
    providers: [],
    // One redacted line per problem instead of Auth.js's stack traces; a refused sign-in is routine.
    logger: {
      error(error) {
        if (error.name === 'CredentialsSignin' || (error as { type?: string }).type === 'CredentialsSignin') {
          logger.info('sign-in refused');
          return;
        }
        logger.error({ err: error }, 'auth error');
      },
      warn(code) {
        logger.warn({ code }, 'auth warning');
      },
      debug() {},
    },
    callbacks: {
      authorized({ auth }) {
        return Boolean(auth?.user);
      },
    },
  }) satisfies NextAuthConfig;
