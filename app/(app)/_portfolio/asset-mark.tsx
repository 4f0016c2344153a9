import { cn } from '../../_components/ui/cn';

// No coin logos in this release: a coloured initial tells assets apart at a glance. The colour is
// derived from the ticker, so BTC looks the same on every page and after every sync.
const PALETTE = [
  'bg-amber-500/15 text-amber-700 dark:text-amber-300',
  'bg-sky-500/15 text-sky-700 dark:text-sky-300',
  'bg-emerald-500/15 text-emerald-700 dark:text-emerald-300',
  'bg-violet-500/15 text-violet-700 dark:text-violet-300',
  'bg-rose-500/15 text-rose-700 dark:text-rose-300',
  'bg-teal-500/15 text-teal-700 dark:text-teal-300',
  'bg-indigo-500/15 text-indigo-700 dark:text-indigo-300',
  'bg-orange-500/15 text-orange-700 dark:text-orange-300',
] as const;

function paletteIndex(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % PALETTE.length;
}

export function AssetMark({ asset, className }: { asset: string; className?: string }) {
  return (
    <span
      aria-hidden
      className={cn(
        'flex size-8 shrink-0 items-center justify-center rounded-full text-xs font-semibold',
        PALETTE[paletteIndex(asset)],
        className,
      )}
    >
      {asset.slice(0, 1).toUpperCase()}
    </span>
  );
}
