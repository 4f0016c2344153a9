import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { authenticate } from './authenticate';
import { clientIp } from './client-ip';
import { authConfig } from './config';
import { signInSchema } from './schemas';
import { isSessionCurrent } from './users';

declare module 'next-auth' {
  interface Session {
    user: { id: string; email: string; name?: string | null };
  }
  interface User {
    sessionVersion?: number;
  }
}

declare module '@auth/core/jwt' {
  interface JWT {
    sv?: number;
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
          return { id, email, name, sessionVersion };
        }
        if (result.reason === 'locked') throw new SignInLocked();
        return null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sv = user.sessionVersion;
        return token;
      }
      // Every later use re-checks the account: a bumped session version (sign out everywhere,
      // password change) or a deleted user ends this session now, not when the token expires.
      if (!token.sub || typeof token.sv !== 'number') return null;
      return (await isSessionCurrent(token.sub, token.sv)) ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
