// Sentry is optional: without SENTRY_DSN nothing is initialised; with it, every event passes scrubEvent. No
// network here, so the SDK runs with a transport that keeps the envelopes it would have sent.
import * as Sentry from '@sentry/nextjs';
import { afterAll, describe, expect, it } from 'vitest';
import { reportSyncFailure, scrubEvent, sentryOptions } from './error-reporting';

const SIGNED_URL =
  'https://api.binance.com/api/v3/account?timestamp=1700000000000&recvWindow=10000&signature=9f1c2e3d4b5a69788796a5b4c3d2e1f0';
const API_KEY = 'CANARYKEY0123456789abcdef';

const sent: string[] = [];
const recordingTransport = () => ({
  send: async (envelope: unknown) => {
    sent.push(JSON.stringify(envelope));
    return {};
  },
  flush: async () => true,
});

afterAll(async () => {
  await Sentry.close();
  delete process.env.SENTRY_DSN;
});

describe('error reporting', () => {
  it('is off without SENTRY_DSN: no options, the SDK not initialised, nothing sent', async () => {
    expect(sentryOptions({})).toBeUndefined();
    expect(sentryOptions({ SENTRY_DSN: '  ' })).toBeUndefined();
    await reportSyncFailure(new Error('boom'), { connectionId: 'c-1' });
    expect(Sentry.isInitialized()).toBe(false);
    expect(sent).toEqual([]);
  });

  it('sends failed syncs tagged with exchange and connection id, without signed URLs, keys, parameters or request data', async () => {
    process.env.SENTRY_DSN = 'https://public@o0.ingest.sentry.io/0';
    const options = sentryOptions()!;
    expect(options).toMatchObject({ dsn: process.env.SENTRY_DSN, beforeSend: scrubEvent });
    Sentry.init({ ...options, transport: recordingTransport, defaultIntegrations: false });
    expect(Sentry.isInitialized()).toBe(true);

    const cause = Object.assign(new Error('insert or update violates foreign key constraint'), {
      severity: 'ERROR',
      code: '23503',
      detail: `Key (user_id)=(${API_KEY}) is not present in table "users".`,
      constraint_name: 'exchange_connections_user_id_users_id_fk',
      table_name: 'exchange_connections',
    });
    const dbError = Object.assign(
      new Error(`Failed query: insert into "exchange_connections"\nparams: ${API_KEY},$argon2id$v=19$m=19456`),
      {
        name: 'DrizzleQueryError',
        cause,
      },
    );
    Sentry.getCurrentScope().setExtra('input', { apiKey: API_KEY, note: `GET ${SIGNED_URL}` });
    Sentry.addBreadcrumb({ message: `fetch ${SIGNED_URL}`, data: { url: SIGNED_URL, 'X-MBX-APIKEY': API_KEY } });
    await reportSyncFailure(new Error(`binance GET ${SIGNED_URL} 500 X-MBX-APIKEY: ${API_KEY}`), {
      exchangeId: 'binance',
      connectionId: 'conn-1',
      syncRunId: 'run-1',
    });
    await reportSyncFailure(dbError, { exchangeId: 'kraken', connectionId: 'conn-2' });
    await Sentry.flush(2000);

    expect(sent).toHaveLength(2);
    const all = sent.join('\n');
    for (const secret of [API_KEY, 'signature=9f1c', 'timestamp=1700', 'Failed query', '$argon2id', 'is not present']) {
      expect(all).not.toContain(secret);
    }
    expect(sent[0]).toContain('"exchange":"binance"');
    expect(sent[0]).toContain('"connection_id":"conn-1"');
    expect(sent[0]).toContain('"sync_run_id":"run-1"');
    expect(sent[1]).toContain('"exchange":"kraken"');
    // The database error still says what happened: its code and constraint.
    expect(sent[1]).toContain('23503');
    expect(sent[1]).toContain('exchange_connections_user_id_users_id_fk');
  });

  it('reduces the request to its method and path, and the user to an id', () => {
    const event = scrubEvent({
      type: undefined,
      request: {
        method: 'POST',
        url: `https://coins.example.com/exchanges/new?apiKey=${API_KEY}`,
        headers: { cookie: 'authjs.session-token=abc', authorization: 'Bearer abcdefghijklmnopqrstuvwxyz' },
        data: { secret: 'CANARYSECRET', password: 'hunter2' },
        query_string: `apiKey=${API_KEY}`,
        cookies: { session: 'abc' },
      },
      user: { id: 'user-1', email: 'someone@example.com', ip_address: '203.0.113.9' },
    });
    expect(event.request).toEqual({ method: 'POST', url: 'https://coins.example.com/exchanges/new' });
    expect(event.user).toEqual({ id: 'user-1' });
  });
});
