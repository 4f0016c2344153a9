'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '../_components/ui/cn';

const links = [{ href: '/portfolio', label: 'Portfolio' }] as const;

export function MainNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="hidden items-center gap-1 sm:flex">
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          aria-current={pathname.startsWith(link.href) ? 'page' : undefined}
          className={cn(
            'rounded-md px-3 py-1.5 text-sm text-muted hover:text-foreground',
            pathname.startsWith(link.href) && 'bg-subtle text-foreground',
          )}
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
