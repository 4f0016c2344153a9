import { ShieldCheck } from 'lucide-react';
import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/session';
import { findExchange } from '@/lib/exchanges/catalog';
import { Card, CardContent } from '../../../_components/ui/card';
import { ConnectForm } from './_components/connect-form';

export const metadata: Metadata = { title: 'Connect an exchange' };

export default async function ConnectExchangePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireUser();
  const { exchange } = await searchParams;
  // `?exchange=binance` preselects; anything unknown simply starts with the picker.
  const initialExchangeId = typeof exchange === 'string' ? (findExchange(exchange)?.id ?? null) : null;
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Connect an exchange</h1>
        <p className="text-sm text-muted">
          Add an exchange account with a read-only API key. Your balances appear as soon as it is connected.
        </p>
      </div>
      <Card>
        <CardContent className="pt-5 sm:pt-6">
          <ConnectForm initialExchangeId={initialExchangeId} />
        </CardContent>
      </Card>
      <p className="flex items-start gap-2 text-sm text-muted">
        <ShieldCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
        <span>
          Coinsphere stores your keys encrypted and only ever reads balances. Keys that can withdraw are refused; only
          the last four characters of a key are ever shown again.
        </span>
      </p>
    </div>
  );
}
