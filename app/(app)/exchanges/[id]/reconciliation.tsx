import Link from 'next/link';
import { AlertTriangle, CheckCircle2 } from 'lucide-react';
import { requestLocale } from '@/app/_components/locale/request-locale';
import { reconcileConnection, type ReconciledAsset } from '@/lib/history/reconcile';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../../_components/ui/card';
import { cn } from '../../../_components/ui/cn';
import { formatAmount } from '../../_components/amount';
import { formatSigned, formatWhen } from '../../activity/activity-format';

// The connection's balances next to what its imported history adds up to. Shown, never corrected: on a
// history that covers the account's whole life a difference is a warning ("Unexplained difference"); on a
// partial one it is expected, and the card says from when the calculation starts.

function coverageText(coverage: 'complete' | 'partial' | 'none', since: string | null): string {
  if (coverage === 'complete') {
    return 'The imported history covers this account’s whole life, so it should add up to every balance the exchange reports. A difference is unexplained: nothing is corrected.';
  }
  if (coverage === 'partial') {
    return since
      ? `Partial: calculated from the history since ${since} only. The exchange does not provide older activity (or the import is still running), so differences are expected.`
      : 'Partial: the history imported so far does not cover the whole account, so differences are expected.';
  }
  return 'Once this account’s history is imported, each balance is compared here with what the history adds up to.';
}

function AssetRow({ row, connectionId, locale }: { row: ReconciledAsset; connectionId: string; locale: string }) {
  const zero = row.difference === '0';
  return (
    <tr data-asset={row.asset} className="border-b border-border last:border-b-0">
      <th scope="row" className="px-3 py-2.5 text-left font-medium sm:pl-6">
        <Link
          href={`/activity?connection=${connectionId}&asset=${encodeURIComponent(row.asset)}`}
          className="rounded hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        >
          {row.asset}
        </Link>
        {row.unexplained && (
          <p className="mt-0.5 flex items-center gap-1 text-xs font-normal text-warning-text">
            <AlertTriangle className="size-3.5 shrink-0" aria-hidden />
            Unexplained difference: {formatSigned(row.difference, locale)} {row.asset}
          </p>
        )}
      </th>
      <td className="px-3 py-2.5 text-right tabular-nums">{formatAmount(row.reported, locale)}</td>
      <td className="px-3 py-2.5 text-right tabular-nums">{formatAmount(row.calculated, locale)}</td>
      <td
        className={cn(
          'px-3 py-2.5 text-right tabular-nums sm:pr-6',
          zero ? 'text-muted' : row.unexplained ? 'font-medium text-warning-text' : '',
        )}
      >
        {zero ? (
          <span className="inline-flex items-center gap-1">
            <CheckCircle2 className="size-3.5 text-success-text" aria-hidden />0
          </span>
        ) : (
          formatSigned(row.difference, locale)
        )}
      </td>
    </tr>
  );
}

export async function Reconciliation({ userId, connectionId }: { userId: string; connectionId: string }) {
  const [reconciliation, { locale, timeZone }] = await Promise.all([
    reconcileConnection(userId, connectionId),
    requestLocale(),
  ]);
  const since = reconciliation.coveredFrom
    ? formatWhen(reconciliation.coveredFrom.toISOString(), locale, timeZone, false)
    : null;
  const show = reconciliation.coverage !== 'none' && reconciliation.assets.length > 0;
  return (
    <Card id="reconciliation" aria-labelledby="reconciliation-heading" className="scroll-mt-20">
      <CardHeader>
        <CardTitle id="reconciliation-heading">Reconciliation</CardTitle>
        <CardDescription data-testid="reconciliation-coverage">
          {coverageText(reconciliation.coverage, since)}
        </CardDescription>
      </CardHeader>
      {show && (
        <CardContent className="overflow-x-auto px-0 pb-0 sm:px-0 sm:pb-0">
          <table className="w-full border-t border-border text-sm">
            <thead className="bg-subtle/60 text-xs uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="px-3 py-2 text-left font-medium sm:pl-6">
                  Asset
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Exchange reports
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  History adds up to
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium sm:pr-6">
                  Difference
                </th>
              </tr>
            </thead>
            <tbody>
              {reconciliation.assets.map((row) => (
                <AssetRow key={row.asset} row={row} connectionId={connectionId} locale={locale} />
              ))}
            </tbody>
          </table>
        </CardContent>
      )}
    </Card>
  );
}
