import type { Metadata } from 'next';
import { Wallet } from 'lucide-react';
import { requireUser } from '@/lib/auth/session';
import { Card, CardContent } from '../../_components/ui/card';

export const metadata: Metadata = { title: 'Portfolio' };

export default async function PortfolioPage() {
  const user = await requireUser();
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Portfolio</h1>
        <p className="text-sm text-muted">
          {user.name ? `Welcome, ${user.name}. ` : ''}Everything you hold across your exchanges, in one place.
        </p>
      </div>
      <Card>
        <CardContent className="flex flex-col items-center gap-3 py-14 text-center sm:py-16">
          <span className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
            <Wallet className="size-6" aria-hidden />
          </span>
          <h2 className="text-lg font-semibold">No exchanges connected yet</h2>
          <p className="max-w-md text-sm text-muted">
            Connect an exchange account with a read-only API key and your balances will show up here, kept in sync on a
            schedule and whenever you ask.
          </p>
        </CardContent>
      </Card>
    </div>
  );
}
