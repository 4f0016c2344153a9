// The exchange actions' input is parsed once, by each action's schema: a malformed field comes back as
// next-safe-action validationErrors, which toResult turns into the message each form shows on that
// field. Signed in for real (lib/testing/session.ts replaces only next/headers).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExchangeSimulator } from '@/lib/testing/exchange-simulator/server';
import { withTestDatabase } from '@/lib/testing/database';
import { binanceAccount, credentialsRow, withKeyringAndEventApi } from '@/lib/testing/fixtures';
import { actAs, signUpAndSignIn } from '@/lib/testing/session';
import { withSimulator } from '@/lib/testing/simulator';
import { toResult } from '../_components/action-result';
import {
  connectExchangeAction,
  disconnectAction,
  syncNowAction,
  testConnectionAction,
  updateConnectionAction,
} from './actions';

vi.mock('next/headers', async () => (await import('@/lib/testing/session')).nextHeaders);

withTestDatabase();
let sim: ExchangeSimulator;
withSimulator((s) => (sim = s));
withKeyringAndEventApi(() => {});

let connectionId: string;

beforeAll(async () => {
  actAs(await signUpAndSignIn());
  const answer = await connectExchangeAction({ exchangeId: 'binance', credentials: binanceAccount(sim).credentials });
  if (!answer?.data?.ok) throw new Error(`setup: ${JSON.stringify(answer)}`);
  connectionId = answer.data.connection.id;
}, 60_000);

describe('exchange actions', () => {
  it('name the field in every validation message, on that field', async () => {
    const update = async (changes: object) =>
      toResult(await updateConnectionAction({ connectionId, ...(changes as { label?: string }) }));
    expect(await update({ syncIntervalSeconds: 59 })).toEqual({
      ok: false,
      message: 'Sync interval must be at least 60 seconds (1 minute).',
      fieldErrors: { syncIntervalSeconds: 'Sync interval must be at least 60 seconds (1 minute).' },
    });
    expect(await update({ syncIntervalSeconds: 86_401 })).toMatchObject({
      fieldErrors: { syncIntervalSeconds: 'Sync interval must be at most 86,400 seconds (24 hours).' },
    });
    expect(await update({ syncIntervalSeconds: 90.5 })).toMatchObject({
      fieldErrors: { syncIntervalSeconds: 'Sync interval must be a whole number of seconds.' },
    });
    expect(await update({ label: '   ' })).toMatchObject({ fieldErrors: { label: 'Label cannot be empty.' } });
    expect(await update({})).toEqual({
      ok: false,
      message: 'Nothing to update: change the label, the sync interval, auto-sync or the API key.',
      fieldErrors: { form: 'Nothing to update: change the label, the sync interval, auto-sync or the API key.' },
    });
    expect(await update({ label: 'Kept', credentials: { apiKey: 5 } })).toMatchObject({
      fieldErrors: { 'credentials.apiKey': 'Each credential must be text.' },
    });
  });

  it('answer malformed input through validationErrors, before the exchange is called', async () => {
    const exchangeCalls = sim.log().length;
    const wrongTypes = { exchangeId: 3, credentials: 'x', sandbox: 'yes' } as never;
    const answer = await testConnectionAction(wrongTypes);
    expect(answer).toEqual({
      validationErrors: {
        exchangeId: { _errors: ['Exchange is required.'] },
        credentials: { _errors: ['Credentials are required.'] },
        sandbox: { _errors: ['Sandbox must be true or false.'] },
      },
    });
    expect(toResult(await connectExchangeAction(wrongTypes))).toMatchObject({
      ok: false,
      message: 'Check the highlighted fields.',
      fieldErrors: { exchangeId: 'Exchange is required.', credentials: 'Credentials are required.' },
    });
    expect(sim.log()).toHaveLength(exchangeCalls);
  });

  it('still answer on the field what only the exchange catalogue can tell', async () => {
    const exchangeCalls = sim.log().length;
    const answer = await testConnectionAction({ exchangeId: 'binance', credentials: { apiKey: 'abc' } });
    expect(toResult(answer)).toMatchObject({ ok: false, fieldErrors: { 'credentials.secret': expect.any(String) } });
    expect(sim.log()).toHaveLength(exchangeCalls);
  });

  it('require a connection id and the keep-holdings choice, and change nothing without them', async () => {
    expect(toResult(await disconnectAction({ connectionId } as never))).toMatchObject({
      ok: false,
      fieldErrors: { keepHoldings: 'Keep holdings must be true or false.' },
    });
    expect(await credentialsRow(connectionId)).toBeDefined();
    const malformed = [
      toResult(await syncNowAction({ connectionId: 'not-a-uuid' })),
      toResult(await disconnectAction({ connectionId: 'not-a-uuid', keepHoldings: false })),
      toResult(await updateConnectionAction({ connectionId: 'not-a-uuid', label: 'x' })),
    ];
    for (const result of malformed) {
      expect(result).toEqual({
        ok: false,
        message: 'Connection id is not valid.',
        fieldErrors: { connectionId: 'Connection id is not valid.' },
      });
    }
  });

  it('drop fields the schema does not know instead of passing them on', async () => {
    const answer = await updateConnectionAction({ connectionId, label: 'Renamed', userId: 'someone-else' } as never);
    expect(answer).toMatchObject({ data: { ok: true, connection: { label: 'Renamed' } } });
  });
});
