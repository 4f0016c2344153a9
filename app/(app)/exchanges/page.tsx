import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/session';
import { EmptyExchanges } from './_components/empty-exchanges';
import { ExchangesOverview } from './_components/exchanges-overview';

export const metadata: Metadata = { title: 'Exchanges' };

/**
 * The user's exchange connections. The data is the live sync status the layout already loaded (and the
 * browser keeps polling), so the cards are rendered from it client-side and update without a reload.
 */
export default async function ExchangesPage() {
  await requireUser();
  return <ExchangesOverview empty={<EmptyExchanges />} />;
}
