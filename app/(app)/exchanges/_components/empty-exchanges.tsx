import { Plug, Plus } from 'lucide-react';
import Link from 'next/link';
import { Button } from '@/app/_components/ui/button';
import { Card, CardContent } from '@/app/_components/ui/card';
import { exchangeCatalog } from '@/lib/exchanges/catalog';
import { ExchangeAvatar } from '../../_components/exchange-avatar';

const featured = exchangeCatalog.filter((entry) => entry.verified);

/** No connection yet: one clear way forward, plus shortcuts to the verified exchanges. */
export function EmptyExchanges() {
  return (
    <Card>
      <CardContent className="flex flex-col items-center gap-4 py-14 text-center sm:py-16">
        <span className="flex size-12 items-center justify-center rounded-full bg-primary/10 text-primary">
          <Plug className="size-6" aria-hidden />
        </span>
        <div className="flex flex-col gap-1.5">
          <h2 className="text-lg font-semibold">No exchanges connected yet</h2>
          <p className="max-w-md text-sm text-muted">
            Connect an exchange account with a read-only API key. Coinsphere reads your balances and keeps them in sync
            — it can never trade or withdraw.
          </p>
        </div>
        <Button asChild size="lg">
          <Link href="/exchanges/new">
            <Plus className="size-4" aria-hidden />
            Connect an exchange
          </Link>
        </Button>
        <ul className="flex flex-wrap justify-center gap-2" aria-label="Popular exchanges">
          {featured.map((entry) => (
            <li key={entry.id}>
              <Link
                href={{ pathname: '/exchanges/new', query: { exchange: entry.id } }}
                className="inline-flex items-center gap-2 rounded-full border border-border px-3 py-1 text-sm text-muted transition-colors hover:bg-subtle hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              >
                <ExchangeAvatar exchangeId={entry.id} name={entry.name} size="sm" className="size-5 text-[10px]" />
                {entry.name}
              </Link>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
