import type { Metadata, Route } from 'next';
import Link from 'next/link';
import { ChevronLeft, ChevronRight, Download, History } from 'lucide-react';
import { requestLocale } from '@/app/_components/locale/request-locale';
import { requireUser } from '@/lib/auth/session';
import { activityFilterParams, type ActivityFilters } from '@/lib/history/activity-filters';
import { activityAssets, activityConnections } from '@/lib/history/activity-options';
import { queryActivity } from '@/lib/history/activity-query';
import { reconcileConnection } from '@/lib/history/reconcile';
import { Button } from '../../_components/ui/button';
import { Card, CardContent } from '../../_components/ui/card';
import { cn } from '../../_components/ui/cn';
import { ActivityFiltersForm } from './activity-filters-form';
import { ActivityTable } from './activity-table';
import { UnexplainedDifferences } from './unexplained-differences';

export const metadata: Metadata = { title: 'Activity' };

type SearchParams = Record<string, string | string[] | undefined>;

/** The page's URL with these filters and, optionally, a page cursor. */
function activityHref(filters: ActivityFilters, cursor?: string): Route {
  const params = activityFilterParams(filters);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return (query ? `/activity?${query}` : '/activity') as Route;
}

function exportHref(filters: ActivityFilters, format: 'csv' | 'koinly'): string {
  const params = activityFilterParams(filters);
  if (format === 'koinly') params.set('format', 'koinly');
  const query = params.toString();
  return query ? `/api/export/activity?${query}` : '/api/export/activity';
}

const PAGER_LINK =
  'inline-flex h-9 items-center gap-1 rounded-lg border border-border bg-surface px-3 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring';

function PagerLink({ href, label, icon }: { href: Route | null; label: 'Newer' | 'Older'; icon: 'left' | 'right' }) {
  const content = (
    <>
      {icon === 'left' && <ChevronLeft className="size-4" aria-hidden />}
      {label}
      {icon === 'right' && <ChevronRight className="size-4" aria-hidden />}
    </>
  );
  if (!href) {
    return (
      <span aria-disabled="true" className={cn(PAGER_LINK, 'cursor-not-allowed text-muted opacity-60')}>
        {content}
      </span>
    );
  }
  return (
    <Link href={href} className={cn(PAGER_LINK, 'hover:bg-subtle')}>
      {content}
    </Link>
  );
}

function EmptyActivity({ filtered, connected }: { filtered: boolean; connected: boolean }) {
  return (
    <Card>
      <CardContent className="flex flex-col items-center gap-3 py-14 text-center">
        <span className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
          <History className="size-6" aria-hidden />
        </span>
        <h2 className="text-lg font-semibold">{filtered ? 'No activity matches these filters' : 'No activity yet'}</h2>
        <p className="max-w-md text-sm text-muted">
          {filtered
            ? 'Widen the dates, choose another asset or kind, or clear the filters to see everything.'
            : connected
              ? 'Your exchanges’ trades, deposits, withdrawals and rewards appear here as their history is imported. A first import can take a while; the connection page shows how far it has got.'
              : 'Connect an exchange account and its trades, deposits, withdrawals and rewards appear here.'}
        </p>
        {filtered ? (
          <Button asChild variant="secondary">
            <Link href="/activity">Clear filters</Link>
          </Button>
        ) : connected ? (
          <Button asChild variant="secondary">
            <Link href="/exchanges">Go to your exchanges</Link>
          </Button>
        ) : (
          <Button asChild>
            <Link href="/exchanges/new">Connect an exchange</Link>
          </Button>
        )}
      </CardContent>
    </Card>
  );
}

export default async function ActivityPage({ searchParams }: { searchParams?: Promise<SearchParams> }) {
  const user = await requireUser();
  const params = (await searchParams) ?? {};
  const { locale, timeZone } = await requestLocale();
  const [result, connections, assets] = await Promise.all([
    queryActivity(user.id, params, { timeZone }),
    activityConnections(user.id),
    activityAssets(user.id),
  ]);
  const filters = result.filters;
  const filtered = Object.values(filters).some(Boolean);
  const reconciliation =
    result.ok && filters.connectionId ? await reconcileConnection(user.id, filters.connectionId) : null;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Activity</h1>
          <p className="text-sm text-muted">
            Every trade, deposit, withdrawal, reward and fee across your exchanges, newest first.
          </p>
        </div>
        {result.ok && result.page.entries.length > 0 && (
          <div className="flex flex-wrap items-center gap-2">
            <Button asChild variant="secondary">
              <a href={exportHref(filters, 'csv')} download>
                <Download className="size-4" aria-hidden />
                Export CSV
              </a>
            </Button>
            <Button asChild variant="secondary">
              <a href={exportHref(filters, 'koinly')} download>
                <Download className="size-4" aria-hidden />
                Export for Koinly
              </a>
            </Button>
          </div>
        )}
      </div>

      <ActivityFiltersForm
        filters={filters}
        errors={result.ok ? {} : result.errors}
        connections={connections}
        assets={assets}
      />

      {!result.ok && result.errors.cursor && (
        <p role="alert" className="rounded-lg border border-danger/30 bg-danger/10 p-3 text-sm text-danger-text">
          {result.errors.cursor}{' '}
          <Link href={activityHref(filters)} className="font-medium underline underline-offset-2">
            Newest entries
          </Link>
        </p>
      )}

      {reconciliation && (
        <UnexplainedDifferences reconciliation={reconciliation} asset={filters.asset} locale={locale} />
      )}

      {result.ok &&
        (result.page.entries.length === 0 && !result.page.newerCursor ? (
          <EmptyActivity filtered={filtered} connected={connections.length > 0} />
        ) : (
          <section aria-label="Entries" className="flex flex-col gap-3">
            {result.page.currency !== result.page.requestedCurrency && (
              <p className="text-sm text-muted">
                Values are in USD: no exchange quotes a {result.page.requestedCurrency} rate yet.
              </p>
            )}
            <ActivityTable
              entries={result.page.entries}
              currency={result.page.currency}
              locale={locale}
              timeZone={timeZone}
            />
            <nav aria-label="Activity pages" className="flex items-center justify-between gap-2">
              <PagerLink
                href={result.page.newerCursor ? activityHref(filters, result.page.newerCursor) : null}
                label="Newer"
                icon="left"
              />
              <p className="text-xs text-muted">Values at each entry’s hour{timeZone ? '' : ' · times in UTC'}</p>
              <PagerLink
                href={result.page.olderCursor ? activityHref(filters, result.page.olderCursor) : null}
                label="Older"
                icon="right"
              />
            </nav>
          </section>
        ))}
    </div>
  );
}
