import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/session';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import { getAssetSources } from '@/lib/valuation/portfolio-value';

const query = z.object({ asset: z.string().trim().min(1, 'Asset is required.').max(64, 'Asset is too long.') });

/**
 * Where the signed-in user holds one asset (connection, wallet, amount, value): what the portfolio
 * page loads when an asset's row is opened. Only the user's own holdings (the SQL is scoped by user id).
 */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: 'Sign in to see your holdings.' }, { status: 401 });
  const parsed = query.safeParse({ asset: new URL(request.url).searchParams.get('asset') ?? '' });
  if (!parsed.success) {
    return Response.json({ error: parsed.error.issues[0]?.message ?? 'Asset is invalid.', field: 'asset' }, { status: 400 });
  }
  const sources = await getAssetSources(user.id, parsed.data.asset, await getDisplayCurrency(user.id));
  return Response.json(sources, { headers: { 'cache-control': 'no-store' } });
}
