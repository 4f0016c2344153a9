import { getCurrentUser } from '@/lib/auth/session';
import { getSyncStatus } from '@/lib/connections/status';

/**
 * The small JSON the browser polls (every 2 s while a sync is pending, every 30 s otherwise): the
 * signed-in user's connections and runs, never a key (only its last four characters) or a ciphertext.
 */
export async function GET() {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: 'Sign in to see your sync status.' }, { status: 401 });
  return Response.json(await getSyncStatus(user.id), { headers: { 'cache-control': 'no-store' } });
}
