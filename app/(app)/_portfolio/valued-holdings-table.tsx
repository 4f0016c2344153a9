'use client';

import Link from 'next/link';
import { AlertTriangle, ChevronDown, Snowflake } from 'lucide-react';
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import type { DisplayCurrency, ValuedAsset, ValuedSource } from '@/lib/valuation/types';
import { cn } from '../../_components/ui/cn';
import { Spinner } from '../../_components/ui/spinner';
import { LocalTime } from '../_components/relative-time';
import { ExchangeAvatar } from '../_components/exchange-avatar';
import { AssetMark } from './asset-mark';
import { formatAmount } from '../_components/amount';
import { formatChange, formatMoney, formatPrice, formatShare, isNegative } from './money';

export type SortKey = 'value' | 'name';

/**
 * By connection id, why its holdings may not be current, in words: a sync problem ("Not current: sync failing") or
 * holdings kept from a disconnected exchange (frozen).
 */
export type ConnectionProblems = Record<string, { text: string; frozen: boolean }>;

interface Props {
  assets: ValuedAsset[];
  currency: DisplayCurrency;
  locale: string;
  problems: ConnectionProblems;
  exchangeNames: Record<string, string>;
}

const NO_PRICE = 'No price';

/** By value, highest first, unpriced last by name (the order lib/valuation answers); or by name. */
function sortAssets(assets: ValuedAsset[], key: SortKey): ValuedAsset[] {
  if (key === 'value') return assets;
  return [...assets].sort((a, b) => a.asset.localeCompare(b.asset));
}

export function ValuedHoldingsTable({ assets, currency, locale, problems, exchangeNames }: Props) {
  const baseId = useId();
  const [sort, setSort] = useState<SortKey>('value');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const sorted = useMemo(() => sortAssets(assets, sort), [assets, sort]);

  const toggle = (asset: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(asset)) next.add(asset);
      return next;
    });

  return (
    <div className="flex flex-col gap-2">
      <div role="group" aria-label="Sort holdings" className="flex items-center gap-1 self-end text-sm">
        <span className="mr-1 text-muted">Sort by</span>
        {(['value', 'name'] as const).map((key) => (
          <button
            key={key}
            type="button"
            aria-pressed={sort === key}
            onClick={() => setSort(key)}
            className={cn(
              'cursor-pointer rounded-md px-2.5 py-1 font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
              sort === key ? 'bg-primary/15 text-info-text' : 'text-muted hover:bg-subtle',
            )}
          >
            {key === 'value' ? 'Value' : 'Name'}
          </button>
        ))}
      </div>
      <div className="overflow-hidden rounded-xl border border-border bg-surface shadow-sm">
        <table className="w-full text-sm">
          <thead className="border-b border-border bg-subtle/60 text-left text-xs font-medium uppercase tracking-wide text-muted">
            <tr>
              <th scope="col" className="px-3 py-2.5 font-medium sm:px-5">
                Asset
              </th>
              <th scope="col" className="hidden px-3 py-2.5 text-right font-medium md:table-cell">
                Amount
              </th>
              <th scope="col" className="hidden px-3 py-2.5 text-right font-medium sm:table-cell">
                Price
              </th>
              <th scope="col" className="px-2 py-2.5 text-right font-medium sm:px-3">
                Value
              </th>
              <th scope="col" className="hidden px-3 py-2.5 text-right font-medium lg:table-cell">
                Share
              </th>
              <th scope="col" className="hidden px-3 py-2.5 text-right font-medium sm:table-cell">
                24 h
              </th>
              <th scope="col" className="w-10 px-1 py-2.5 sm:w-14 sm:px-2">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((asset, index) => (
              <AssetRows
                key={asset.asset}
                asset={asset}
                panelId={`${baseId}-sources-${index}`}
                open={expanded.has(asset.asset)}
                onToggle={() => toggle(asset.asset)}
                currency={currency}
                locale={locale}
                problems={problems}
                exchangeNames={exchangeNames}
              />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Change({ fraction, locale }: { fraction: string | null; locale: string }) {
  if (fraction === null) return <span className="text-muted">—</span>;
  return (
    <span className={isNegative(fraction) ? 'text-danger-text' : 'text-success-text'}>
      {formatChange(fraction, locale)}
    </span>
  );
}

function AssetRows({
  asset,
  panelId,
  open,
  onToggle,
  currency,
  locale,
  problems,
  exchangeNames,
}: Omit<Props, 'assets'> & { asset: ValuedAsset; panelId: string; open: boolean; onToggle: () => void }) {
  const notes = asset.connectionIds.map((id) => problems[id]);
  const stale = notes.some((note) => note && !note.frozen);
  const frozen = notes.some((note) => note?.frozen);
  return (
    <>
      <tr data-asset={asset.asset} className={cn('border-b border-border last:border-b-0', open && 'bg-subtle/40')}>
        <td className="px-3 py-3 sm:px-5">
          <div className="flex items-center gap-2 sm:gap-3">
            <AssetMark asset={asset.asset} className="size-7 sm:size-8" />
            <div className="min-w-0">
              <span className="font-medium">{asset.asset}</span>
              <p className="text-xs text-muted tabular-nums md:hidden">{formatAmount(asset.amount, locale)}</p>
              {stale && (
                <p className="flex items-center gap-1 text-xs text-warning-text">
                  <AlertTriangle className="size-3" aria-hidden />
                  Not current
                </p>
              )}
              {frozen && (
                <p className="flex items-center gap-1 text-xs text-muted">
                  <Snowflake className="size-3" aria-hidden />
                  Includes frozen
                </p>
              )}
            </div>
          </div>
        </td>
        <td
          className="hidden px-3 py-3 text-right font-mono tabular-nums md:table-cell"
          data-testid={`amount-${asset.asset}`}
        >
          {formatAmount(asset.amount, locale)}
        </td>
        <td className="hidden px-3 py-3 text-right tabular-nums sm:table-cell">
          {asset.price === null ? (
            <span className="text-muted">{NO_PRICE}</span>
          ) : (
            formatPrice(asset.price, currency, locale)
          )}
        </td>
        <td className="px-2 py-3 text-right font-medium tabular-nums sm:px-3" data-testid={`value-${asset.asset}`}>
          {asset.value === null ? (
            <span className="font-normal text-muted">{NO_PRICE}</span>
          ) : (
            formatMoney(asset.value, currency, locale)
          )}
        </td>
        <td className="hidden px-3 py-3 text-right tabular-nums text-muted lg:table-cell">
          {asset.share === null ? '—' : formatShare(asset.share, locale)}
        </td>
        <td className="hidden px-3 py-3 text-right tabular-nums sm:table-cell">
          <Change fraction={asset.change24h} locale={locale} />
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
        <td colSpan={7} className="px-2 pb-3 pt-0 sm:px-5">
          <AssetDetails asset={asset} currency={currency} locale={locale} />
          {open && (
            <AssetSources
              asset={asset}
              currency={currency}
              locale={locale}
              problems={problems}
              exchangeNames={exchangeNames}
            />
          )}
        </td>
      </tr>
    </>
  );
}

interface SourcesAnswer {
  currency: DisplayCurrency;
  sources: ValuedSource[];
}

async function fetchSources(asset: string): Promise<SourcesAnswer> {
  const response = await fetch(`/api/portfolio/sources?asset=${encodeURIComponent(asset)}`, {
    cache: 'no-store',
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`sources answered ${response.status}`);
  return (await response.json()) as SourcesAnswer;
}

/**
 * Where an asset is held, loaded when its row is opened: the page itself carries a few values per
 * asset, not every (connection, wallet) of a portfolio with thousands of holdings.
 */
function AssetSources({
  asset,
  currency,
  locale,
  problems,
  exchangeNames,
}: Omit<Props, 'assets'> & { asset: ValuedAsset }) {
  // The amount is in the key: after a sync the page's props change and the list is read again.
  const { data, isPending, isError, refetch } = useQuery({
    queryKey: ['asset-sources', asset.asset, asset.amount, currency],
    queryFn: () => fetchSources(asset.asset),
    staleTime: 30_000,
  });
  if (isPending) {
    return (
      <p className="mt-2 flex items-center gap-2 px-1 text-xs text-muted" role="status">
        <Spinner className="size-3" /> Loading where you hold {asset.asset}…
      </p>
    );
  }
  if (isError) {
    return (
      <p className="mt-2 flex items-center gap-2 px-1 text-xs text-danger-text" role="alert">
        Could not load where you hold {asset.asset}.
        <button type="button" onClick={() => void refetch()} className="cursor-pointer font-medium underline">
          Try again
        </button>
      </p>
    );
  }
  return (
    <ul
      aria-label={`Sources of ${asset.asset}`}
      className="mt-2 flex flex-col divide-y divide-border rounded-lg border border-border bg-surface"
    >
      {data.sources.map((source) => (
        <SourceItem
          key={`${source.connectionId}:${source.wallet}`}
          source={source}
          asset={asset.asset}
          currency={data.currency}
          locale={locale}
          problem={problems[source.connectionId]}
          exchangeName={exchangeNames[source.exchangeId] ?? source.exchangeId}
        />
      ))}
    </ul>
  );
}

/** The exact figures behind the rounded ones, and where the price came from. */
function AssetDetails({ asset, currency, locale }: { asset: ValuedAsset; currency: DisplayCurrency; locale: string }) {
  const { quote } = asset;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 px-1 pt-2 text-xs sm:grid-cols-[auto_1fr_auto_1fr]">
      <dt className="text-muted">Exact amount</dt>
      <dd className="font-mono [overflow-wrap:anywhere]">
        {asset.amount} {asset.asset}
      </dd>
      <dt className="text-muted">Price</dt>
      <dd className="tabular-nums">
        {asset.price === null ? NO_PRICE : `${formatPrice(asset.price, currency, locale)} per ${asset.asset}`}
      </dd>
      <dt className="text-muted">Share of total</dt>
      <dd className="tabular-nums">{asset.share === null ? 'Not in the total' : formatShare(asset.share, locale)}</dd>
      <dt className="text-muted">24 h change</dt>
      <dd className="tabular-nums">
        <Change fraction={asset.change24h} locale={locale} />
      </dd>
      {quote && (
        <>
          <dt className="text-muted">Priced from</dt>
          <dd className="sm:col-span-3">
            {quote.exchangeId} {quote.pair}, <LocalTime date={quote.at} />
            {quote.stale && <span className="text-warning-text"> (stale: older than 15 min)</span>}
            {asset.pricedElsewhere && (
              <span className="text-muted"> — none of the exchanges you hold it on quote it</span>
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

function SourceItem({
  source,
  asset,
  currency,
  locale,
  problem,
  exchangeName,
}: {
  source: ValuedSource;
  asset: string;
  currency: DisplayCurrency;
  locale: string;
  problem: { text: string; frozen: boolean } | undefined;
  exchangeName: string;
}) {
  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-1.5 px-3 py-2.5" data-source={source.connectionId}>
      <div className="flex min-w-0 flex-1 items-center gap-2.5">
        <ExchangeAvatar exchangeId={source.exchangeId} name={exchangeName} size="sm" />
        <div className="min-w-0">
          <Link
            href={`/exchanges/${source.connectionId}`}
            className="truncate font-medium hover:underline focus-visible:underline focus-visible:outline-none"
          >
            {source.connectionLabel}
          </Link>
          <p className="text-xs text-muted">
            {exchangeName !== source.connectionLabel && <>{exchangeName} · </>}
            <span className="font-medium text-foreground/80">{source.wallet}</span> wallet
          </p>
          {problem && (
            <p className={cn('flex items-center gap-1 text-xs', problem.frozen ? 'text-muted' : 'text-warning-text')}>
              {problem.frozen ? (
                <Snowflake className="size-3" aria-hidden />
              ) : (
                <AlertTriangle className="size-3" aria-hidden />
              )}
              {problem.text}
            </p>
          )}
        </div>
      </div>
      <div className="ml-auto min-w-0 max-w-full text-right">
        <p className="font-mono tabular-nums [overflow-wrap:anywhere]">
          {formatAmount(source.amount, locale)} <span className="text-muted">{asset}</span>
        </p>
        <p className="text-xs tabular-nums text-muted">
          {source.value === null ? NO_PRICE : formatMoney(source.value, currency, locale)}
        </p>
      </div>
    </li>
  );
}
