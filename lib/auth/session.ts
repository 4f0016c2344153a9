import 'server-only';
import { redirect } from 'next/navigation';
import { auth } from './index';

export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
}

/** The signed-in user, or null. The session's version has already been checked against the database. */
export async function getCurrentUser(): Promise<CurrentUser | null> {
  const session = await auth();
  const user = session?.user;
  if (!user?.id || !user.email) return null;
  return { id: user.id, email: user.email, name: user.name ?? null };
}

/** For pages and data functions: the signed-in user, or a redirect to sign-in. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  return user;
}
