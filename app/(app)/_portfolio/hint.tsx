import { Info } from 'lucide-react';
import { useId, type ReactNode } from 'react';
import { cn } from '../../_components/ui/cn';

/**
 * Where a number came from, shown on hover AND on keyboard focus (and a tap focuses it on touch screens): a
 * focusable trigger described by its tooltip, so screen readers read it too. Not a `title`, which keyboards and
 * touch never reach.
 */
export function Hint({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <span className={cn('group relative inline-flex align-middle', className)}>
      <span
        tabIndex={0}
        aria-describedby={id}
        className="inline-flex cursor-help items-center gap-1 rounded text-xs text-muted underline decoration-dotted underline-offset-2 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
      >
        <Info className="size-3.5" aria-hidden />
        {label}
      </span>
      <span
        id={id}
        role="tooltip"
        className="pointer-events-none invisible absolute left-0 top-full z-20 mt-1 w-max max-w-72 rounded-md border border-border bg-surface px-2.5 py-1.5 text-xs text-foreground opacity-0 shadow-md transition-opacity group-focus-within:visible group-focus-within:opacity-100 group-hover:visible group-hover:opacity-100"
      >
        {children}
      </span>
    </span>
  );
}
