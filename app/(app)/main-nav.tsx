'use client';

import { ArrowLeftRight, History, PieChart } from 'lucide-react';
import type { Route } from 'next';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '../_components/ui/cn';

const links: ReadonlyArray<{ href: Route; label: string; icon: typeof PieChart; active: (path: string) => boolean }> = [
  // The portfolio lives at the root, so it is active on exactly "/" (not on every page below it).
  { href: '/', label: 'Portfolio', icon: PieChart, active: (path) => path === '/' },
  {
    href: '/exchanges',
    label: 'Exchanges',
    icon: ArrowLeftRight,
    active: (path) => path === '/exchanges' || path.startsWith('/exchanges/'),
  },
  { href: '/activity', label: 'Activity', icon: History, active: (path) => path === '/activity' },
];

/**
 * The main navigation, in the header at every width: at 375 px the logo shrinks to its globe and the
 * links to a compact size, so nothing hides behind a menu button.
 */
export function MainNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex min-w-0 items-center gap-0.5 sm:gap-1">
      {links.map(({ href, label, icon: Icon, active }) => {
        const current = active(pathname);
        return (
          <Link
            key={href}
            href={href}
            aria-current={current ? 'page' : undefined}
            className={cn(
              'inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm text-muted transition-colors hover:text-foreground sm:px-3',
              'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
              current && 'bg-subtle font-medium text-foreground',
            )}
          >
            {/* Three links and the account menu fit 375 px once the icons give way below the small breakpoint. */}
            <Icon className="size-4 shrink-0 max-sm:hidden" aria-hidden />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
