import { getCurrentUser } from '@/lib/auth/session';
import { csvDownloadHeaders, csvStream } from '@/lib/export/csv';
import { HISTORY_HEADER, historyCsvRows } from '@/lib/export/history';

/** "Export history CSV": the signed-in user's portfolio value over time, RFC 4180, streamed. */
export async function GET() {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: 'Sign in to export your value history.' }, { status: 401 });
  const rows = await historyCsvRows(user.id);
  return new Response(csvStream(HISTORY_HEADER, rows), { headers: csvDownloadHeaders('value-history') });
}
