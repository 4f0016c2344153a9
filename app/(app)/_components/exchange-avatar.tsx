import { cn } from '@/app/_components/ui/cn';

const SIZES = { sm: 'size-7 text-xs', md: 'size-9 text-sm', lg: 'size-12 text-lg' } as const;

// Hand-picked hues that read well with white text in light and dark mode.
const COLOURS = [
  'bg-amber-500',
  'bg-blue-600',
  'bg-violet-600',
  'bg-emerald-600',
  'bg-rose-600',
  'bg-cyan-600',
  'bg-indigo-600',
  'bg-teal-600',
  'bg-fuchsia-600',
  'bg-orange-600',
  'bg-sky-600',
  'bg-lime-700',
] as const;

/** Well-known brand colours for the exchanges people connect most. */
const BRAND: Record<string, string> = {
  binance: 'bg-amber-500',
  coinbase: 'bg-blue-600',
  kraken: 'bg-violet-600',
  kucoin: 'bg-emerald-600',
};

/** Same id, same colour, on every page and every render (a simple string hash, no randomness). */
function colourFor(exchangeId: string): string {
  const brand = BRAND[exchangeId];
  if (brand) return brand;
  let hash = 0;
  for (const char of exchangeId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return COLOURS[hash % COLOURS.length]!;
}

/** The exchange's initial in a coloured circle. Decorative: the name is always written next to it. */
export function ExchangeAvatar({
  exchangeId,
  name,
  size = 'md',
  className,
}: {
  exchangeId: string;
  name: string;
  size?: keyof typeof SIZES;
  className?: string;
}) {
  return (
    <span
      aria-hidden
      className={cn(
        'inline-flex shrink-0 select-none items-center justify-center rounded-full font-semibold text-white',
        SIZES[size],
        colourFor(exchangeId),
        className,
      )}
    >
      {(name.trim().charAt(0) || '?').toUpperCase()}
    </span>
  );
}
