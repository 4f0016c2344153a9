import { cn } from '@/app/_components/ui/cn';
import { DEFAULT_LOCALE } from '@/app/_components/locale/negotiate';

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A numeric string Intl formats exactly (plain or exponent notation). */
export const isDecimalString = (trimmed: string) => NUMERIC.test(trimmed);

interface Formatters {
  // Truncated, never rounded: half-up at 8 decimals could show more than is actually held.
  amount: Intl.NumberFormat;
  integer: Intl.NumberFormat;
  decimalSeparator: string;
}

// A handful of locales per process at most; building an Intl formatter is the slow part.
const cache = new Map<string, Formatters>();

function formatters(locale: string): Formatters {
  let entry = cache.get(locale);
  if (!entry) {
    const amount = new Intl.NumberFormat(locale, { maximumFractionDigits: 8, roundingMode: 'trunc' });
    entry = {
      amount,
      integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, roundingMode: 'trunc' }),
      decimalSeparator: amount.formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.',
    };
    cache.set(locale, entry);
  }
  return entry;
}

/** Every digit of a plain decimal ("1,234.567890123"); Intl caps fraction digits, so only the integer part goes through it. */
function exactAmount(trimmed: string, locale: string): string {
  const match = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match) return trimmed; // Exponent notation: as given.
  const [, sign, integer, fraction = ''] = match;
  const digits = fraction.replace(/0+$/, '');
  const { integer: integerFormatter, decimalSeparator } = formatters(locale);
  const whole = integerFormatter.format((integer || '0') as Intl.StringNumericLiteral);
  return `${sign === '-' ? '-' : ''}${whole}${digits ? `${decimalSeparator}${digits}` : ''}`;
}

/**
 * A decimal string as people read it in their locale ("12,345.6789", "12.345,6789"). Intl formats a
 * numeric string exactly, so amounts beyond a double's 15–17 significant digits keep every digit (never
 * parseFloat the whole string). More than 8 fraction digits are cut off (toward zero), so an amount never
 * reads as more than is held; `amountTitle` gives the exact value when something was cut. Client
 * components get the page's locale from `useAmountFormat`, server components from `requestLocale`.
 */
export function formatAmount(value: string, locale: string = DEFAULT_LOCALE): string {
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return value;
  return formatters(locale).amount.format(trimmed as Intl.StringNumericLiteral);
}

/** The exact amount with every digit, when `formatAmount` had to cut some off (for a `title`). */
export function amountTitle(value: string, locale: string = DEFAULT_LOCALE): string | undefined {
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return undefined;
  const exact = exactAmount(trimmed, locale);
  return exact === formatAmount(value, locale) ? undefined : exact;
}

/** An amount in tabular figures, with its asset ticker after it when given. */
export function Amount({
  value,
  asset,
  locale,
  className,
}: {
  value: string;
  asset?: string;
  locale: string;
  className?: string;
}) {
  const title = amountTitle(value, locale);
  return (
    <span className={cn('tabular-nums', className)} title={title && (asset ? `${title} ${asset}` : title)}>
      {formatAmount(value, locale)}
      {asset ? <span className="ml-1 text-muted">{asset}</span> : null}
    </span>
  );
}
