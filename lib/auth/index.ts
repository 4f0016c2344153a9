import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { authenticate } from './authenticate';
import { clientIp } from './client-ip';
import { authConfig } from './config';
import { signInSchema } from './schemas';
import { endSession, isSessionCurrent, startSession } from './user-sessions';

declare module 'next-auth' {
  interface Session {
    user: { id: string; email: string; name?: string | null };
  }
  interface User {
    sessionVersion?: number;
    /** The signing-in browser's User-Agent, recorded with its session. */
    userAgent?: string | null;
  }
}

declare module '@auth/core/jwt' {
  interface JWT {
    /** The user's session version at sign-in. */
    sv?: number;
    /** This session's id in user_sessions. */
    sid?: string;
  }
}

/** Sign-in refused because the account or address is temporarily locked. */
export class SignInLocked extends CredentialsSignin {
  code = 'locked';
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig(),
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const parsed = signInSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const result = await authenticate(parsed.data.email, parsed.data.password, clientIp(request.headers));
        if (result.ok) {
          const { id, email, name, sessionVersion } = result.user;
          return { id, email, name, sessionVersion, userAgent: request.headers.get('user-agent') };
        }
        if (result.reason === 'locked') throw new SignInLocked();
        return null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        token.sv = user.sessionVersion;
        token.sid = await startSession(user.id, user.userAgent);
        return token;
      }
      // Every later use re-checks the session and the account: signing out (its record is gone), a
      // bumped session version (sign out everywhere, password change) or a deleted user ends this
      // session now, not when the token expires.
      if (!token.sub || typeof token.sv !== 'number' || typeof token.sid !== 'string') return null;
      return (await isSessionCurrent({ userId: token.sub, sessionId: token.sid, version: token.sv })) ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    // Auth.js clears the cookie; this ends the session on the server as well, so a copy of the cookie
    // taken before sign-out is refused from now on.
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      if (token?.sub && typeof token.sid === 'string') await endSession(token.sub, token.sid);
    },
  },
}));
