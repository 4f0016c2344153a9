import { cn } from '@/app/_components/ui/cn';

// Truncated, never rounded: half-up at 8 decimals could show more than is actually held.
const formatter = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8, roundingMode: 'trunc' });
const integerFormatter = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, roundingMode: 'trunc' });

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Every digit of a plain decimal ("1,234.567890123"); Intl caps fraction digits, so only the integer part goes through it. */
function exactAmount(trimmed: string): string {
  const match = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match) return trimmed; // Exponent notation: as given.
  const [, sign, integer, fraction = ''] = match;
  const digits = fraction.replace(/0+$/, '');
  const whole = integerFormatter.format((integer || '0') as Intl.StringNumericLiteral);
  return `${sign === '-' ? '-' : ''}${whole}${digits ? `.${digits}` : ''}`;
}

/**
 * A decimal string as people read it ("12,345.6789"). Intl formats a numeric string exactly, so
 * amounts beyond a double's 15–17 significant digits keep every digit (never parseFloat the whole
 * string). More than 8 fraction digits are cut off (toward zero), so an amount never reads as more
 * than is held; `amountTitle` gives the exact value when something was cut.
 */
export function formatAmount(value: string): string {
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return value;
  return formatter.format(trimmed as Intl.StringNumericLiteral);
}

/** The exact amount with every digit, when `formatAmount` had to cut some off (for a `title`). */
export function amountTitle(value: string): string | undefined {
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return undefined;
  const exact = exactAmount(trimmed);
  return exact === formatAmount(value) ? undefined : exact;
}

/** An amount in tabular figures, with its asset ticker after it when given. */
export function Amount({ value, asset, className }: { value: string; asset?: string; className?: string }) {
  const title = amountTitle(value);
  return (
    <span className={cn('tabular-nums', className)} title={title && (asset ? `${title} ${asset}` : title)}>
      {formatAmount(value)}
      {asset ? <span className="ml-1 text-muted">{asset}</span> : null}
    </span>
  );
}
