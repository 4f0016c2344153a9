// The connection page's history card, rendered to markup the way the server renders it first.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '@/app/_components/locale/locale-provider';
import type { HistoryProgress } from '@/lib/history/progress';
import { HistoryImport } from './history-import';

vi.mock('./history-actions', () => ({ addMarketAction: vi.fn(), historyProgressAction: vi.fn() }));

const progress = (values: Partial<HistoryProgress>): HistoryProgress => ({
  state: 'running',
  phase: 'backfill',
  entries: 1240,
  coveredFrom: '2024-03-10T12:00:00.000Z',
  finishedAt: null,
  lastError: null,
  limits: [],
  verified: true,
  completeHistory: true,
  acceptsManualStream: false,
  manualStreams: [],
  ...values,
});

function render(initial: HistoryProgress | null, canAddMarket = true, locale = 'en-US'): string {
  return renderToStaticMarkup(
    h(
      QueryClientProvider,
      { client: new QueryClient() },
      h(LocaleProvider, {
        value: { locale, timeZone: 'UTC' },
        children: h(HistoryImport, { connectionId: '5f0c7a57-3c55-4c36-9d8e-3bb3f0e5b9a1', initial, canAddMarket }),
      }),
    ),
  );
}

describe('HistoryImport', () => {
  it('shows the progress of a running import and the exchange’s limits', () => {
    const html = render(progress({ limits: ['Binance keeps deposit history for 90 days a request.'] }));
    expect(html).toContain('Importing history — back to March 2024, 1,240 entries');
    expect(html).toContain('Binance keeps deposit history for 90 days a request.');
    expect(html).not.toContain('not verified');
    expect(html).not.toContain('Add a market');
  });

  it('says "not verified" for a best-effort exchange and offers Add a market where markets are named by hand', () => {
    const html = render(progress({ verified: false, acceptsManualStream: true, state: 'succeeded' }));
    expect(html).toContain('(not verified)');
    expect(html).toContain('History imported — back to March 2024, 1,240 entries');
    expect(html).toContain('Add a market');
    expect(html).toContain('<label');
    expect(render(progress({ acceptsManualStream: true }), false)).not.toContain('Add a market');
  });

  it('shows the plain failure message, and what there is when nothing was imported', () => {
    expect(
      render(progress({ state: 'failed', lastError: 'The exchange rejected this API key.', entries: 0 })),
    ).toContain('The exchange rejected this API key.');
    expect(render(null)).toContain('No history has been imported for this connection.');
  });
});
