import Link from 'next/link';
import { AlertTriangle } from 'lucide-react';
import type { ConnectionValue, DisplayCurrency } from '@/lib/valuation/types';
import { ExchangeAvatar } from '../_components/exchange-avatar';
import { formatMoney } from './money';
import type { ConnectionProblems } from './valued-holdings-table';

/** What each connected account is worth, with the assets it holds that have no price and any sync problem. */
export function ConnectionValues({
  connections,
  currency,
  locale,
  problems,
  exchangeNames,
}: {
  connections: ConnectionValue[];
  currency: DisplayCurrency;
  locale: string;
  problems: ConnectionProblems;
  exchangeNames: Record<string, string>;
}) {
  if (connections.length === 0) return null;
  return (
    <section aria-labelledby="connection-values-heading" className="flex flex-col gap-3">
      <h2 id="connection-values-heading" className="text-lg font-semibold tracking-tight">
        By exchange
      </h2>
      <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
        {connections.map((connection) => {
          const name = exchangeNames[connection.exchangeId] ?? connection.exchangeId;
          const problem = problems[connection.connectionId];
          return (
            <li
              key={connection.connectionId}
              data-connection={connection.connectionId}
              className="flex items-center gap-3 rounded-xl border border-border bg-surface px-4 py-3 shadow-sm"
            >
              <ExchangeAvatar exchangeId={connection.exchangeId} name={name} size="sm" />
              <div className="min-w-0 flex-1">
                <Link
                  href={`/exchanges/${connection.connectionId}`}
                  className="block truncate font-medium hover:underline focus-visible:underline focus-visible:outline-none"
                >
                  {connection.label}
                </Link>
                {connection.unpricedAssets > 0 && (
                  <p className="text-xs text-muted">
                    {connection.unpricedAssets} {connection.unpricedAssets === 1 ? 'asset' : 'assets'} without a price
                  </p>
                )}
                {problem && (
                  <p className="flex items-center gap-1 text-xs text-warning-text">
                    <AlertTriangle className="size-3" aria-hidden />
                    {problem.text}
                  </p>
                )}
              </div>
              <p className="text-right font-medium tabular-nums">{formatMoney(connection.value, currency, locale)}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
