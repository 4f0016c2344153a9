import { getCurrentUser } from '@/lib/auth/session';
import { csvDownloadHeaders, csvStream } from '@/lib/export/csv';
import { HOLDINGS_HEADER, holdingsCsvRows } from '@/lib/export/holdings';

/** "Export CSV": the signed-in user's current holdings with prices and values, RFC 4180, streamed. */
export async function GET() {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: 'Sign in to export your holdings.' }, { status: 401 });
  const rows = await holdingsCsvRows(user.id);
  return new Response(csvStream(HOLDINGS_HEADER, rows), { headers: csvDownloadHeaders('holdings') });
}
