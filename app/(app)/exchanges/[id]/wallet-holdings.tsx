import type { ConnectionHolding } from '@/lib/connections/detail';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../../_components/ui/card';
import { requestLocale } from '@/app/_components/locale/request-locale';
import { amountTitle, formatAmount } from '../../_components/amount';
import { AssetMark } from '../../_portfolio/asset-mark';
import { plural } from './run-format';

/** Holdings arrive ordered by wallet then asset: group them without reordering. */
function byWallet(holdings: ConnectionHolding[]): [string, ConnectionHolding[]][] {
  const groups = new Map<string, ConnectionHolding[]>();
  for (const holding of holdings) {
    const group = groups.get(holding.wallet);
    if (group) group.push(holding);
    else groups.set(holding.wallet, [holding]);
  }
  return [...groups];
}

export async function WalletHoldings({
  holdings,
  neverSynced,
  frozen,
}: {
  holdings: ConnectionHolding[];
  neverSynced: boolean;
  /** Disconnected: what is left is frozen (or was removed). */
  frozen: boolean;
}) {
  const { locale } = await requestLocale();
  const wallets = byWallet(holdings);
  const assets = new Set(holdings.map((holding) => holding.asset)).size;
  return (
    <Card aria-labelledby="holdings-heading">
      <CardHeader>
        <CardTitle id="holdings-heading">Holdings</CardTitle>
        <CardDescription>
          {holdings.length === 0
            ? frozen
              ? 'Its holdings were removed when it was disconnected.'
              : neverSynced
                ? 'Balances appear here after the first sync.'
                : 'This account reports no balances.'
            : `${plural(assets, 'asset', 'assets')} in ${plural(wallets.length, 'wallet', 'wallets')}${
                frozen ? ' — frozen since it was disconnected' : ''
              }`}
        </CardDescription>
      </CardHeader>
      {wallets.length > 0 && (
        <CardContent className="flex flex-col gap-5">
          {wallets.map(([wallet, rows]) => (
            <WalletTable key={wallet} wallet={wallet} rows={rows} locale={locale} />
          ))}
        </CardContent>
      )}
    </Card>
  );
}

function WalletTable({ wallet, rows, locale }: { wallet: string; rows: ConnectionHolding[]; locale: string }) {
  return (
    <div className="overflow-hidden rounded-lg border border-border" data-wallet={wallet}>
      {/* Width hints line the wallets' columns up; a longer amount still widens its column, never cut. */}
      <table className="w-full text-sm">
        <caption className="border-b border-border bg-subtle/60 px-4 py-2 text-left text-sm font-medium">
          <span className="capitalize">{wallet}</span> wallet
          <span className="ml-2 text-xs font-normal text-muted">{plural(rows.length, 'asset', 'assets')}</span>
        </caption>
        <thead className="text-left text-xs uppercase tracking-wide text-muted">
          <tr className="border-b border-border">
            <th scope="col" className="px-4 py-2 font-medium">
              Asset
            </th>
            <th scope="col" className="hidden w-36 whitespace-nowrap px-4 py-2 text-right font-medium sm:table-cell">
              Available
            </th>
            <th scope="col" className="hidden w-36 whitespace-nowrap px-4 py-2 text-right font-medium sm:table-cell">
              Locked
            </th>
            <th scope="col" className="w-36 whitespace-nowrap px-4 py-2 text-right font-medium">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.asset} data-asset={row.asset} className="border-b border-border last:border-b-0">
              <td className="px-4 py-2.5">
                <div className="flex items-center gap-2.5">
                  <AssetMark asset={row.asset} className="size-7" />
                  <span className="font-medium">{row.asset}</span>
                </div>
              </td>
              <td
                className="hidden whitespace-nowrap px-4 py-2.5 text-right font-mono tabular-nums text-muted sm:table-cell"
                title={amountTitle(row.free, locale)}
              >
                {formatAmount(row.free, locale)}
              </td>
              <td
                className="hidden whitespace-nowrap px-4 py-2.5 text-right font-mono tabular-nums text-muted sm:table-cell"
                title={amountTitle(row.used, locale)}
              >
                {formatAmount(row.used, locale)}
              </td>
              <td
                className="whitespace-nowrap px-4 py-2.5 text-right font-mono tabular-nums"
                data-testid={`total-${wallet}-${row.asset}`}
                title={amountTitle(row.total, locale)}
              >
                {formatAmount(row.total, locale)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
