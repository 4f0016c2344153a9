import Link from 'next/link';
import { AlertTriangle } from 'lucide-react';
import type { Reconciliation } from '@/lib/history/reconcile';
import { formatSigned } from './activity-format';

/**
 * Filtered by one connection whose history covers the account's whole life: the assets whose balance the
 * history does not explain, said plainly (nothing is corrected). Filtered by an asset too, only that one.
 */
export function UnexplainedDifferences({
  reconciliation,
  asset,
  locale,
}: {
  reconciliation: Reconciliation;
  asset: string | undefined;
  locale: string;
}) {
  const shown = reconciliation.assets.filter(
    (row) => row.unexplained && (!asset || row.asset.toUpperCase() === asset.toUpperCase()),
  );
  if (shown.length === 0) return null;
  return (
    <section
      aria-labelledby="unexplained-heading"
      className="flex flex-col gap-2 rounded-xl border border-warning/40 bg-warning/10 p-4 text-sm"
      data-testid="unexplained-differences"
    >
      <h2 id="unexplained-heading" className="flex items-center gap-2 font-semibold text-warning-text">
        <AlertTriangle className="size-4" aria-hidden />
        This connection’s history does not explain every balance
      </h2>
      <ul className="flex flex-col gap-1">
        {shown.map((row) => (
          <li key={row.asset} data-asset={row.asset}>
            <span className="font-medium">{row.asset}</span>: Unexplained difference of{' '}
            <span className="tabular-nums">{formatSigned(row.difference, locale)}</span> {row.asset} — the exchange
            reports <span className="tabular-nums">{formatSigned(row.reported, locale).replace(/^\+/, '')}</span>, the
            history adds up to{' '}
            <span className="tabular-nums">{formatSigned(row.calculated, locale).replace(/^\+/, '')}</span>.
          </li>
        ))}
      </ul>
      <p className="text-muted">
        Nothing is corrected.{' '}
        <Link
          href={`/exchanges/${reconciliation.connectionId}#reconciliation`}
          className="font-medium text-foreground underline underline-offset-2 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        >
          See the reconciliation
        </Link>
      </p>
    </section>
  );
}
