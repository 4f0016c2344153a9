import { Loader2 } from 'lucide-react';
import { cn } from './cn';

/** A decorative spinner: whatever is busy says so itself (aria-busy, visible text), so this stays hidden. */
export function Spinner({ className }: { className?: string }) {
  return <Loader2 className={cn('size-4 shrink-0 animate-spin', className)} aria-hidden />;
}
