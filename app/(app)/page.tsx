import type { Metadata } from 'next';
import Link from 'next/link';
import { Download, Plus, Wallet } from 'lucide-react';
import type { ReactNode } from 'react';
import { requireUser } from '@/lib/auth/session';
import { logger } from '@/lib/log';
import { findExchange } from '@/lib/exchanges/catalog';
import { refreshPricesInlineIfStale } from '@/lib/prices/refresh';
import { getPortfolioFreshness, SYNC_PROBLEM_TEXT, type PortfolioFreshness } from '@/lib/portfolios/freshness';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import { getPortfolioValuation } from '@/lib/valuation/portfolio-value';
import { getValueSeries } from '@/lib/valuation/value-series';
import type { PortfolioValuation } from '@/lib/valuation/types';
import { Button } from '../_components/ui/button';
import { Card, CardContent } from '../_components/ui/card';
import { RelativeTime } from './_components/relative-time';
import { SyncAllButton } from './_components/sync-all-button';
import { ConnectionValues } from './_portfolio/connection-values';
import { requestLocale } from '@/app/_components/locale/request-locale';
import { PortfolioValue } from './_portfolio/portfolio-value';
import { parseRange } from './_portfolio/chart-range';
import { ValueChart } from './_portfolio/value-chart';
import { ValuedHoldingsTable, type ConnectionProblems } from './_portfolio/valued-holdings-table';

export const metadata: Metadata = { title: 'Portfolio' };

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "4 assets across 2 exchanges": counts connections that hold something, frozen ones included. */
function summary(valuation: PortfolioValuation): string {
  const sources = new Set(valuation.assets.flatMap((asset) => asset.connectionIds));
  return `${plural(valuation.assets.length, 'asset', 'assets')} across ${plural(sources.size, 'exchange', 'exchanges')}`;
}

/** Each connection's note in words, for the holdings it contributes. */
function connectionNotes(freshness: PortfolioFreshness): ConnectionProblems {
  const notes: ConnectionProblems = {};
  for (const [id, problem] of Object.entries(freshness.problems)) {
    notes[id] = { text: SYNC_PROBLEM_TEXT[problem], frozen: false };
  }
  for (const id of freshness.frozen) notes[id] = { text: 'Frozen: kept when disconnected, not synced', frozen: true };
  return notes;
}

function exchangeNames(valuation: PortfolioValuation): Record<string, string> {
  // Every connection holding something is listed in `connections`, frozen ones included.
  const ids = new Set(valuation.connections.map((connection) => connection.exchangeId));
  return Object.fromEntries([...ids].map((id) => [id, findExchange(id)?.name ?? id]));
}

/** "Last synced 40 min ago" for the OLDEST connection: the portfolio is only as current as that one. */
function Freshness({ freshness }: { freshness: PortfolioFreshness }) {
  const problems = Object.keys(freshness.problems).length;
  return (
    <>
      {freshness.oldestSyncAt ? (
        <>
          Last synced <RelativeTime date={freshness.oldestSyncAt.toISOString()} />
          {freshness.connectionCount > 1 && ' (the least recent of your exchanges)'}
        </>
      ) : (
        'Never synced'
      )}
      {freshness.oldestSyncAt && freshness.neverSynced > 0 && (
        <> · {plural(freshness.neverSynced, 'exchange has', 'exchanges have')} not synced yet</>
      )}
      {problems > 0 && (
        <span className="text-warning-text" data-testid="portfolio-not-current">
          {' '}
          · {plural(problems, 'exchange is', 'exchanges are')} not current
        </span>
      )}
    </>
  );
}

export default async function PortfolioPage({
  searchParams,
}: {
  searchParams?: Promise<{ range?: string | string[] }>;
}) {
  const user = await requireUser();
  const range = parseRange((await searchParams)?.range);
  // Development without the Inngest dev server: no cron refreshes prices, so opening the page does (a no-op when
  // Inngest runs, and when prices are under a minute old).
  const [currency] = await Promise.all([
    getDisplayCurrency(user.id),
    refreshPricesInlineIfStale(user.id).catch((error: unknown) =>
      logger.warn({ err: error }, 'inline price refresh failed'),
    ),
  ]);
  const [valuation, freshness, { locale }, series] = await Promise.all([
    getPortfolioValuation(user.id, currency),
    getPortfolioFreshness(user.id),
    requestLocale(),
    getValueSeries(user.id, range, currency),
  ]);
  const connected = freshness.connectionCount > 0;
  const hasAssets = valuation.assets.length > 0;
  const notes = connectionNotes(freshness);
  const names = exchangeNames(valuation);

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Portfolio</h1>
          <p className="text-sm text-muted" data-testid="portfolio-freshness">
            {connected ? (
              <Freshness freshness={freshness} />
            ) : hasAssets ? (
              // Only holdings kept from disconnected exchanges: nothing syncs, so no "last synced".
              'Holdings kept from disconnected exchanges, no longer synced.'
            ) : (
              <>{user.name ? `Welcome, ${user.name}. ` : ''}Everything you hold across your exchanges, in one place.</>
            )}
          </p>
        </div>
        {(connected || hasAssets) && (
          <div className="flex flex-wrap items-center gap-2">
            {connected && <SyncAllButton />}
            <Button asChild variant="secondary">
              <Link href="/exchanges/new">
                <Plus className="size-4" aria-hidden />
                Connect exchange
              </Link>
            </Button>
          </div>
        )}
      </div>

      {hasAssets ? (
        <>
          <PortfolioValue valuation={valuation} locale={locale} />
          <ValueChart series={series} locale={locale} title="Value over time" />
          <section aria-labelledby="holdings-heading" className="flex flex-col gap-3">
            <div className="flex flex-wrap items-baseline justify-between gap-3">
              <h2 id="holdings-heading" className="text-lg font-semibold tracking-tight">
                Holdings
              </h2>
              <p className="text-sm text-muted" data-testid="portfolio-summary">
                {summary(valuation)}
              </p>
            </div>
            <ValuedHoldingsTable
              assets={valuation.assets}
              currency={valuation.currency}
              locale={locale}
              problems={notes}
              exchangeNames={names}
            />
          </section>
          <ConnectionValues
            connections={valuation.connections}
            currency={valuation.currency}
            locale={locale}
            problems={notes}
            exchangeNames={names}
          />
          <ExportButtons />
        </>
      ) : connected ? (
        <EmptyState
          title="Your exchanges report no balances yet"
          body="Once a connected account holds something, it shows up here after the next sync. Deposited just now? Press Sync all."
          action={
            <Button asChild variant="secondary">
              <Link href="/exchanges">Manage exchanges</Link>
            </Button>
          }
        />
      ) : (
        <EmptyState
          title="No exchanges connected yet"
          body="Connect an exchange account with a read-only API key and your balances will show up here, kept in sync on a schedule and whenever you ask."
          action={
            <Button asChild>
              <Link href="/exchanges/new">
                <Plus className="size-4" aria-hidden />
                Connect an exchange
              </Link>
            </Button>
          }
        />
      )}
    </div>
  );
}

/** Plain links with `download`: the browser saves the route handler's streamed CSV, no script involved. */
function ExportButtons() {
  return (
    <section aria-label="Export" className="flex flex-wrap items-center gap-2">
      <Button asChild variant="secondary" size="sm">
        <a href="/api/export/holdings" download>
          <Download className="size-4" aria-hidden />
          Export CSV
        </a>
      </Button>
      <Button asChild variant="secondary" size="sm">
        <a href="/api/export/history" download>
          <Download className="size-4" aria-hidden />
          Export history CSV
        </a>
      </Button>
      <p className="text-xs text-muted">
        Holdings with prices and values, or your value history over time, as spreadsheet files.
      </p>
    </section>
  );
}

function EmptyState({ title, body, action }: { title: string; body: string; action: ReactNode }) {
  return (
    <Card>
      <CardContent className="flex flex-col items-center gap-3 py-14 text-center sm:py-16">
        <span className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
          <Wallet className="size-6" aria-hidden />
        </span>
        <h2 className="text-lg font-semibold">{title}</h2>
        <p className="max-w-md text-sm text-muted">{body}</p>
        <div className="mt-2">{action}</div>
      </CardContent>
    </Card>
  );
}
