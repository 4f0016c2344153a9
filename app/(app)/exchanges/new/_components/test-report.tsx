import { AlertTriangle, Check, CircleCheck, X } from 'lucide-react';
import type { ConnectionTestReport } from '@/lib/connections/test-connection';
import type { KeyPermissions } from '@/lib/exchanges/types';
import { cn } from '@/app/_components/ui/cn';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "Found 3 assets in 2 wallets (spot, funding)". */
export function describeFindings(report: Pick<ConnectionTestReport, 'assets' | 'wallets'>): string {
  if (report.assets === 0) return 'Found no assets: the key works, but the account holds nothing yet.';
  const wallets = report.wallets.length
    ? ` in ${plural(report.wallets.length, 'wallet', 'wallets')} (${report.wallets.join(', ')})`
    : '';
  return `Found ${plural(report.assets, 'asset', 'assets')}${wallets}.`;
}

/** Each permission in words; `risky` ones are what a read-only key should not have. */
const PERMISSIONS: ReadonlyArray<{ key: keyof KeyPermissions; label: string; risky: boolean }> = [
  { key: 'read', label: 'Read balances', risky: false },
  { key: 'trade', label: 'Trade', risky: true },
  { key: 'transfer', label: 'Transfer between accounts', risky: true },
  { key: 'withdraw', label: 'Withdraw', risky: true },
  { key: 'ipRestricted', label: 'Restricted to trusted IP addresses', risky: false },
];

/** What Test connection found, without saving anything. */
export function TestReport({ report }: { report: ConnectionTestReport }) {
  return (
    <div className="flex flex-col gap-3 rounded-lg border border-success/30 bg-success/10 p-4 text-sm">
      <p className="flex items-start gap-2 font-medium">
        <CircleCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
        <span>
          The key works. {describeFindings(report)}
          <span className="block font-normal text-muted">Nothing is saved until you press Connect.</span>
        </span>
      </p>
      {report.permissions ? (
        <div>
          <p className="mb-1.5 text-xs font-medium uppercase tracking-wide text-muted">What this key may do</p>
          <ul className="grid gap-1 sm:grid-cols-2">
            {PERMISSIONS.map(({ key, label, risky }) => {
              const allowed = report.permissions![key];
              return (
                <li key={key} className="flex items-center gap-2">
                  {allowed ? (
                    <Check className={cn('size-4 shrink-0', risky ? 'text-warning' : 'text-success')} aria-hidden />
                  ) : (
                    <X className="size-4 shrink-0 text-muted" aria-hidden />
                  )}
                  <span>
                    {label}
                    <span className="sr-only">: {allowed ? 'yes' : 'no'}</span>
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      ) : (
        <p className="text-muted">The exchange does not tell what this key may do.</p>
      )}
      {report.warnings.length > 0 ? (
        <ul className="flex flex-col gap-1.5">
          {report.warnings.map((warning) => (
            <li key={warning} className="flex items-start gap-2">
              <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
              <span>{warning}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
