import type { ActivityEntryView } from '@/lib/history/activity-query';
import type { DisplayCurrency } from '@/lib/valuation/types';
import { Badge } from '../../_components/ui/badge';
import { cn } from '../../_components/ui/cn';
import { amountTitle } from '../_components/amount';
import { formatMoney } from '../_portfolio/money';
import {
  formatSigned,
  formatWhen,
  isNegativeAmount,
  KIND_TONE,
  KIND_WORDS,
  shortHash,
  STATUS_TONE,
  STATUS_WORDS,
} from './activity-format';

interface Props {
  entries: ActivityEntryView[];
  currency: DisplayCurrency;
  locale: string;
  timeZone: string | null;
}

const TH = 'whitespace-nowrap px-3 py-2.5 font-medium';
const TD = 'whitespace-nowrap px-3 py-3 align-top';

/** A signed amount with its asset: green in, red out, the exact digits in the title when some were cut. */
function SignedAmount({ amount, asset, locale }: { amount: string; asset: string; locale: string }) {
  const title = amountTitle(amount, locale);
  return (
    <span
      className={cn('tabular-nums', isNegativeAmount(amount) ? 'text-danger-text' : 'text-success-text')}
      title={title ? `${title} ${asset}` : undefined}
    >
      {formatSigned(amount, locale)} <span className="text-muted">{asset}</span>
    </span>
  );
}

/**
 * The entries of one page. Wide by nature (ten columns): at narrow widths it scrolls sideways inside its own
 * focusable region, so the page itself never does and a keyboard can scroll it too.
 */
export function ActivityTable({ entries, currency, locale, timeZone }: Props) {
  return (
    <div
      role="region"
      aria-label="Activity entries"
      tabIndex={0}
      // relative: the screen-reader-only text inside is absolutely positioned, and must scroll with the table
      // rather than widen the page.
      className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
    >
      <table className="w-full text-sm" data-testid="activity-table">
        <thead className="border-b border-border bg-subtle/60 text-left text-xs uppercase tracking-wide text-muted">
          <tr>
            <th scope="col" className={TH}>
              Date
            </th>
            <th scope="col" className={TH}>
              Kind
            </th>
            <th scope="col" className={cn(TH, 'text-right')}>
              Amount
            </th>
            <th scope="col" className={cn(TH, 'text-right')}>
              Counter side
            </th>
            <th scope="col" className={cn(TH, 'text-right')}>
              Fee
            </th>
            <th scope="col" className={cn(TH, 'text-right')}>
              Value
            </th>
            <th scope="col" className={TH}>
              Connection
            </th>
            <th scope="col" className={TH}>
              Status
            </th>
            <th scope="col" className={TH}>
              Tx hash
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr
              key={entry.id}
              data-entry={entry.externalId}
              className="border-b border-border last:border-b-0 hover:bg-subtle/40"
            >
              <td className={cn(TD, 'text-muted')}>
                <time dateTime={entry.occurredAt} title={entry.occurredAt}>
                  {formatWhen(entry.occurredAt, locale, timeZone)}
                </time>
              </td>
              <td className={TD}>
                <Badge tone={KIND_TONE[entry.kind]}>{KIND_WORDS[entry.kind]}</Badge>
                {entry.note && <p className="mt-1 max-w-56 whitespace-normal text-xs text-muted">{entry.note}</p>}
              </td>
              <td className={cn(TD, 'text-right font-medium')}>
                <SignedAmount amount={entry.amount} asset={entry.asset} locale={locale} />
              </td>
              <td className={cn(TD, 'text-right')}>
                {entry.counterAsset && entry.counterAmount !== null ? (
                  <SignedAmount amount={entry.counterAmount} asset={entry.counterAsset} locale={locale} />
                ) : (
                  <span className="text-muted">—</span>
                )}
              </td>
              <td className={cn(TD, 'text-right tabular-nums text-muted')}>
                {entry.feeAsset && entry.feeAmount !== null ? (
                  <>
                    {formatSigned(`-${entry.feeAmount}`, locale)} {entry.feeAsset}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td className={cn(TD, 'text-right tabular-nums')}>
                {entry.value === null ? (
                  <span className="text-muted" title="No price for that hour">
                    —<span className="sr-only">No price for that hour</span>
                  </span>
                ) : (
                  formatMoney(entry.value, currency, locale)
                )}
              </td>
              <td className={TD}>
                <span className="block max-w-48 truncate" title={`${entry.connectionLabel} (${entry.exchangeName})`}>
                  {entry.connectionLabel}
                </span>
              </td>
              <td className={TD}>
                <Badge tone={STATUS_TONE[entry.status]}>{STATUS_WORDS[entry.status]}</Badge>
              </td>
              <td className={cn(TD, 'font-mono text-xs text-muted')}>
                {entry.txHash ? (
                  <span title={entry.txHash}>
                    {shortHash(entry.txHash)}
                    {entry.network && <span className="font-sans"> ({entry.network})</span>}
                  </span>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
