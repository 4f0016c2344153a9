'use client';

import Link from 'next/link';
import { ChevronDown, Snowflake } from 'lucide-react';
import { useId, useState } from 'react';
import type { HoldingSource, PortfolioAsset } from '@/lib/portfolios/holdings';
import { Badge } from '../../_components/ui/badge';
import { cn } from '../../_components/ui/cn';
import { useAmountFormat } from '../_components/use-amount-format';
import { ExchangeAvatar } from '../_components/exchange-avatar';
import { AssetMark } from './asset-mark';

// Client only for the expand toggles: the data comes from the server component, so a
// router.refresh() after a sync re-renders this table with new amounts and keeps what is expanded.

const isZero = (amount: string) => /^-?0*(\.0*)?$/.test(amount);

/** "Binance · spot", "Binance · 2 wallets" or "3 exchanges" (connections, since one exchange can be connected twice). */
function sourcesSummary(sources: HoldingSource[]): string {
  const connections = new Set(sources.map((source) => source.connectionId));
  if (connections.size > 1) return `${connections.size} exchanges`;
  const [first] = sources;
  if (!first) return '';
  return sources.length === 1
    ? `${first.connectionLabel} · ${first.wallet}`
    : `${first.connectionLabel} · ${sources.length} wallets`;
}

export function HoldingsTable({ assets }: { assets: PortfolioAsset[] }) {
  const baseId = useId();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());

  const toggle = (asset: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(asset)) next.add(asset);
      return next;
    });

  return (
    <div className="overflow-hidden rounded-xl border border-border bg-surface shadow-sm">
      <table className="w-full text-sm">
        <thead className="border-b border-border bg-subtle/60 text-left text-xs font-medium uppercase tracking-wide text-muted">
          <tr>
            {/* Narrow on phones so the amount, not the ticker, gets the room. */}
            <th scope="col" className="w-[1%] whitespace-nowrap px-3 py-2.5 font-medium sm:w-auto sm:px-5">
              Asset
            </th>
            <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">
              Sources
            </th>
            <th scope="col" className="px-2 py-2.5 text-right font-medium sm:px-4">
              Amount
            </th>
            <th scope="col" className="w-10 px-1 py-2.5 sm:w-14 sm:px-2">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {assets.map((asset, index) => {
            const open = expanded.has(asset.asset);
            const panelId = `${baseId}-sources-${index}`;
            const frozen = asset.sources.some((source) => source.frozen);
            return (
              <AssetRows
                key={asset.asset}
                asset={asset}
                open={open}
                panelId={panelId}
                frozen={frozen}
                onToggle={() => toggle(asset.asset)}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AssetRows({
  asset,
  open,
  panelId,
  frozen,
  onToggle,
}: {
  asset: PortfolioAsset;
  open: boolean;
  panelId: string;
  frozen: boolean;
  onToggle: () => void;
}) {
  const { amountTitle, formatAmount } = useAmountFormat();
  return (
    <>
      <tr data-asset={asset.asset} className={cn('border-b border-border last:border-b-0', open && 'bg-subtle/40')}>
        <td className="whitespace-nowrap px-3 py-3 sm:px-5">
          <div className="flex items-center gap-2 sm:gap-3">
            <AssetMark asset={asset.asset} className="size-7 sm:size-8" />
            <span className="font-medium">{asset.asset}</span>
            {frozen && (
              // At every width: the only frozen cue while the row is collapsed (the Frozen badges are in the panel).
              <Snowflake className="size-3.5 shrink-0 text-muted" aria-label="Includes frozen holdings" role="img" />
            )}
          </div>
        </td>
        <td className="hidden px-4 py-3 text-muted sm:table-cell">{sourcesSummary(asset.sources)}</td>
        <td
          className="px-2 py-3 text-right font-mono tabular-nums [overflow-wrap:anywhere] sm:px-4"
          data-testid={`amount-${asset.asset}`}
          title={amountTitle(asset.total)}
        >
          {formatAmount(asset.total)}
        </td>
        <td className="px-1 py-2 text-right sm:px-2 sm:pr-3">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={panelId}
            onClick={onToggle}
            className="inline-flex size-8 cursor-pointer items-center justify-center rounded-md text-muted hover:bg-subtle hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
          >
            <ChevronDown className={cn('size-4 transition-transform', open && 'rotate-180')} aria-hidden />
            <span className="sr-only">Show sources for {asset.asset}</span>
          </button>
        </td>
      </tr>
      {/* Rendered while collapsed too, so aria-controls always points at an element. */}
      <tr id={panelId} hidden={!open} className="border-b border-border bg-subtle/40 last:border-b-0">
        <td colSpan={4} className="px-2 pb-3 pt-0 sm:px-5">
          <ul
            aria-label={`Sources of ${asset.asset}`}
            className="flex flex-col divide-y divide-border rounded-lg border border-border bg-surface"
          >
            {asset.sources.map((source) => (
              <SourceItem key={`${source.connectionId}:${source.wallet}`} source={source} />
            ))}
          </ul>
        </td>
      </tr>
    </>
  );
}

function SourceItem({ source }: { source: HoldingSource }) {
  const { amountTitle, formatAmount } = useAmountFormat();
  const showSplit = !isZero(source.used);
  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-1.5 px-3 py-2.5">
      <div className="flex min-w-0 flex-1 items-center gap-2.5">
        <ExchangeAvatar exchangeId={source.exchangeId} name={source.exchangeName} size="sm" />
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
            <Link
              href={`/exchanges/${source.connectionId}`}
              className="truncate font-medium hover:underline focus-visible:underline focus-visible:outline-none"
            >
              {source.connectionLabel}
            </Link>
            {source.frozen && (
              <Badge tone="neutral" title="Kept when disconnected, not synced">
                <Snowflake className="size-3" aria-hidden />
                Frozen
                <span className="sr-only"> — kept when disconnected, not synced</span>
              </Badge>
            )}
          </div>
          <p className="text-xs text-muted">
            {source.exchangeName !== source.connectionLabel && <>{source.exchangeName} · </>}
            <span className="font-medium text-foreground/80">{source.wallet}</span> wallet
          </p>
        </div>
      </div>
      <div className="ml-auto min-w-0 max-w-full text-right">
        <p className="font-mono tabular-nums [overflow-wrap:anywhere]" title={amountTitle(source.total)}>
          {formatAmount(source.total)}
        </p>
        {showSplit && (
          // Two parts that wrap onto their own lines when a long amount leaves no room (375 px).
          <p className="flex flex-wrap justify-end gap-x-1.5 text-xs text-muted">
            <span>
              <span className="font-mono tabular-nums" title={amountTitle(source.free)}>
                {formatAmount(source.free)}
              </span>{' '}
              available
            </span>
            <span aria-hidden>·</span>
            <span>
              <span className="font-mono tabular-nums" title={amountTitle(source.used)}>
                {formatAmount(source.used)}
              </span>{' '}
              locked
            </span>
          </p>
        )}
      </div>
    </li>
  );
}
