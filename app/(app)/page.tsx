import type { Metadata } from 'next';
import Link from 'next/link';
import { Plus, Wallet } from 'lucide-react';
import type { ReactNode } from 'react';
import { requireUser } from '@/lib/auth/session';
import { getPortfolio, type PortfolioAsset } from '@/lib/portfolios/holdings';
import { Button } from '../_components/ui/button';
import { Card, CardContent } from '../_components/ui/card';
import { RelativeTime } from './_components/relative-time';
import { SyncAllButton } from './_components/sync-all-button';
import { HoldingsTable } from './_portfolio/holdings-table';

export const metadata: Metadata = { title: 'Portfolio' };

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "4 assets across 2 exchanges": counts connections that hold something, frozen ones included. */
function summary(assets: PortfolioAsset[]): string {
  const sources = new Set(assets.flatMap((asset) => asset.sources.map((source) => source.connectionId)));
  return `${plural(assets.length, 'asset', 'assets')} across ${plural(sources.size, 'exchange', 'exchanges')}`;
}

export default async function PortfolioPage() {
  const user = await requireUser();
  const portfolio = await getPortfolio(user.id);
  const connected = portfolio.connectionCount > 0;
  const hasAssets = portfolio.assets.length > 0;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Portfolio</h1>
          <p className="text-sm text-muted">
            {connected ? (
              portfolio.lastSyncedAt ? (
                <>
                  Last synced <RelativeTime date={portfolio.lastSyncedAt.toISOString()} />
                </>
              ) : (
                'Never synced'
              )
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
        <section aria-labelledby="holdings-heading" className="flex flex-col gap-3">
          <div className="flex items-baseline justify-between gap-3">
            <h2 id="holdings-heading" className="text-lg font-semibold tracking-tight">
              Holdings
            </h2>
            <p className="text-sm text-muted" data-testid="portfolio-summary">
              {summary(portfolio.assets)}
            </p>
          </div>
          <HoldingsTable assets={portfolio.assets} />
          <p className="text-xs text-muted">
            Amounts are exactly what your exchanges report. Prices and totals in your currency come in a later release.
          </p>
        </section>
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
