import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ChevronLeft } from 'lucide-react';
import { cache } from 'react';
import { requireUser } from '@/lib/auth/session';
import { getConnectionHoldings, listSyncRuns, SYNC_HISTORY_LIMIT } from '@/lib/connections/detail';
import { getConnection } from '@/lib/connections/list';
import { isConnectionId } from '@/lib/connections/schemas';
import { toConnectionView } from '@/lib/connections/view';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../../_components/ui/card';
import { ConnectionHeader } from './connection-header';
import { DisconnectDialog } from './disconnect-dialog';
import { HistoryImport } from './history-import';
import { RemoveHoldingsDialog } from './remove-holdings-dialog';
import { SettingsForm } from './settings-form';
import { Reconciliation } from './reconciliation';
import { SyncHistory } from './sync-history';
import { UpdateKeysForm } from './update-keys-form';
import { WalletHoldings } from './wallet-holdings';
import { ConnectionValueChart } from '../../_portfolio/connection-value-chart';
import { requestLocale } from '@/app/_components/locale/request-locale';
import { parseRange } from '../../_portfolio/chart-range';
import { getDisplayCurrency } from '@/lib/valuation/display-currency';
import { getHistoryProgress } from '@/lib/history/progress';

interface Props {
  params: Promise<{ id: string }>;
  searchParams?: Promise<{ range?: string | string[] }>;
}

// Shared by generateMetadata and the page within one request. Another user's id and an id that is
// not even a UUID answer null alike (getConnection would hand a malformed id to PostgreSQL).
const loadConnection = cache(async (id: string) => {
  const user = await requireUser();
  if (!isConnectionId(id)) return null;
  return getConnection(user.id, id);
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const connection = await loadConnection((await params).id);
  return { title: connection?.label ?? 'Connection not found' };
}

export default async function ConnectionPage({ params, searchParams }: Props) {
  const { id } = await params;
  const user = await requireUser();
  const connection = await loadConnection(id);
  if (!connection) notFound();

  const [holdings, runs, history] = await Promise.all([
    getConnectionHoldings(user.id, id),
    listSyncRuns(user.id, id),
    getHistoryProgress(user.id, id),
  ]);
  // Only the client-safe view crosses to client components: key hint, never a key or ciphertext.
  const view = toConnectionView(connection);
  const disconnected = connection.disconnectedAt !== null;
  // A disconnected connection without holdings has nothing left to manage: no side column.
  const sideColumn = !disconnected || holdings.length > 0;

  return (
    <div className="flex flex-col gap-6">
      <Link
        href="/exchanges"
        className="inline-flex w-fit items-center gap-1 text-sm text-muted hover:text-foreground focus-visible:underline focus-visible:outline-none"
      >
        <ChevronLeft className="size-4" aria-hidden />
        Exchanges
      </Link>

      <ConnectionHeader initial={view} />

      <div
        className={
          sideColumn ? 'grid grid-cols-1 items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]' : 'flex flex-col gap-6'
        }
      >
        <div className="flex min-w-0 flex-col gap-6">
          <WalletHoldings holdings={holdings} neverSynced={connection.lastSuccessAt === null} frozen={disconnected} />
          <ConnectionValueChart
            userId={user.id}
            connectionId={id}
            range={parseRange((await searchParams)?.range)}
            currency={await getDisplayCurrency(user.id)}
            locale={(await requestLocale()).locale}
          />
          <HistoryImport connectionId={connection.id} initial={history} canAddMarket={!disconnected} />
          <Reconciliation userId={user.id} connectionId={id} />
          <SyncHistory runs={runs} limit={SYNC_HISTORY_LIMIT} />
        </div>

        {sideColumn && (
          <div className="flex min-w-0 flex-col gap-6">
            {!disconnected && (
              <>
                <Card aria-labelledby="settings-heading">
                  <CardHeader>
                    <CardTitle id="settings-heading">Settings</CardTitle>
                  </CardHeader>
                  <CardContent>
                    <SettingsForm connection={view} />
                  </CardContent>
                </Card>

                <Card id="update-keys" aria-labelledby="update-keys-heading" className="scroll-mt-20">
                  <CardHeader>
                    <CardTitle id="update-keys-heading">Update keys</CardTitle>
                    <CardDescription>
                      Replaced a key on {connection.exchangeName}, or told that the credentials need updating? Paste the
                      new read-only key here. It is tested before it replaces the current one.
                    </CardDescription>
                  </CardHeader>
                  <CardContent>
                    <UpdateKeysForm connectionId={connection.id} exchangeId={connection.exchangeId} />
                  </CardContent>
                </Card>
              </>
            )}

            <Card aria-labelledby="danger-heading" className="border-danger/30">
              <CardHeader>
                <CardTitle id="danger-heading">Danger zone</CardTitle>
                <CardDescription>
                  {disconnected
                    ? 'Remove the frozen holdings of this disconnected account from your portfolio. Its sync history stays.'
                    : 'Disconnecting deletes the API key and stops syncing. You choose whether its holdings stay in your portfolio; its sync history stays either way.'}
                </CardDescription>
              </CardHeader>
              <CardContent>
                {disconnected ? (
                  <RemoveHoldingsDialog connectionId={connection.id} label={connection.label} />
                ) : (
                  <DisconnectDialog connectionId={connection.id} label={connection.label} />
                )}
              </CardContent>
            </Card>
          </div>
        )}
      </div>
    </div>
  );
}
