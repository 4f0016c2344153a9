'use client';

import { Plus } from 'lucide-react';
import Link from 'next/link';
import { useEffect, type ReactNode } from 'react';
import { Button } from '@/app/_components/ui/button';
import { useInvalidateSyncStatus, useSyncStatus } from '../../_components/sync-status';
import { SyncAllButton } from '../../_components/sync-all-button';
import { ConnectionCard } from './connection-card';

/**
 * Heading, actions and one card per connection, all from the live sync status. `empty` is rendered on
 * the server (it reads the catalog, which then stays out of this page's client bundle).
 */
export function ExchangesOverview({ empty }: { empty: ReactNode }) {
  const { connections } = useSyncStatus();
  const invalidate = useInvalidateSyncStatus();
  // A client-side navigation (e.g. back from a disconnect) keeps the layout and its status: ask again
  // on arrival instead of showing the cards as they were up to 30 s ago.
  useEffect(() => {
    void invalidate();
  }, [invalidate]);
  // Disconnected connections are only listed while they keep holdings: after the live ones.
  const ordered = [
    ...connections.filter((connection) => !connection.disconnectedAt),
    ...connections.filter((connection) => connection.disconnectedAt),
  ];
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Exchanges</h1>
          <p className="text-sm text-muted">
            Your connected exchange accounts, read with read-only API keys and kept in sync on a schedule.
          </p>
        </div>
        {ordered.length > 0 ? (
          <div className="flex flex-wrap gap-2">
            <SyncAllButton />
            <Button asChild>
              <Link href="/exchanges/new">
                <Plus className="size-4" aria-hidden />
                Connect exchange
              </Link>
            </Button>
          </div>
        ) : null}
      </div>
      {ordered.length === 0 ? (
        empty
      ) : (
        <ul className="grid gap-4 lg:grid-cols-2" aria-label="Connections">
          {ordered.map((connection) => (
            <li key={connection.id} className="min-w-0">
              <ConnectionCard connection={connection} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
