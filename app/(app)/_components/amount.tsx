import { cn } from '@/app/_components/ui/cn';

const formatter = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });

/**
 * A decimal string as people read it ("12,345.6789"). Intl formats a numeric string exactly, so
 * amounts beyond a double's 15–17 significant digits keep every digit (never parseFloat the whole
 * string). More than 8 fraction digits are rounded half-expand, as a wallet shows them.
 */
export function formatAmount(value: string): string {
  const trimmed = value.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return value;
  return formatter.format(trimmed as Intl.StringNumericLiteral);
}

/** An amount in tabular figures, with its asset ticker after it when given. */
export function Amount({ value, asset, className }: { value: string; asset?: string; className?: string }) {
  return (
    <span className={cn('tabular-nums', className)}>
      {formatAmount(value)}
      {asset ? <span className="ml-1 text-muted">{asset}</span> : null}
    </span>
  );
}
