import { requestLocale } from '@/app/_components/locale/request-locale';
import { getCurrentUser } from '@/lib/auth/session';
import { ACTIVITY_HEADER, activityCsvRows, KOINLY_HEADER, koinlyCsvRows } from '@/lib/export/activity';
import { csvDownloadHeaders, csvStream } from '@/lib/export/csv';
import { parseActivityInput } from '@/lib/history/activity-filters';

/**
 * "Export CSV" / "Export for Koinly" on /activity: every entry the page's filters select (all pages, not just
 * the one shown), RFC 4180, streamed. `format=koinly` writes Koinly's universal import format.
 */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: 'Sign in to export your activity.' }, { status: 401 });
  const params = new URL(request.url).searchParams;
  const format = params.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'koinly') {
    return Response.json({ error: 'Format must be csv or koinly.', field: 'format' }, { status: 400 });
  }
  const input = parseActivityInput(params);
  if (!input.ok) {
    const [field, message] = Object.entries(input.errors)[0]!;
    return Response.json({ error: message, field, errors: input.errors }, { status: 400 });
  }
  // From and To are the reader's days, as on the page.
  const { timeZone } = await requestLocale();
  const options = { timeZone };
  return format === 'koinly'
    ? new Response(csvStream(KOINLY_HEADER, koinlyCsvRows(user.id, input.filters, options)), {
        headers: csvDownloadHeaders('activity-koinly'),
      })
    : new Response(csvStream(ACTIVITY_HEADER, activityCsvRows(user.id, input.filters, options)), {
        headers: csvDownloadHeaders('activity'),
      });
}
