import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inngest } from '@/lib/jobs/client';
import { connectionDisconnected } from '@/lib/jobs/events';
import { dispatch, INTERACTIVE_SEND_TIMEOUT_MS } from './dispatch';
import { pointInngestAt, refusingUrl, startFakeEventApi, startSilentServer } from '@/lib/testing/fixtures';

// The Event API stand-ins of the lib/connections tests; no database needed.
let eventApi: Awaited<ReturnType<typeof startFakeEventApi>>;
let silent: Awaited<ReturnType<typeof startSilentServer>>;
beforeAll(async () => {
  eventApi = await startFakeEventApi();
  silent = await startSilentServer();
});
afterAll(async () => {
  await eventApi.close();
  await silent.close();
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_BASE_URL;
});

const event = connectionDisconnected.create({ connectionId: '4b7e6f4e-2f55-4f59-9d5e-2f0d8b0a3c11' });

describe('dispatch', () => {
  it('sends events to the configured event API', async () => {
    pointInngestAt(eventApi.url);
    const result = await dispatch([event, event]);
    expect(result).toMatchObject({ ok: true, ids: [expect.any(String), expect.any(String)] });
    expect(eventApi.events.map((e) => e.name)).toEqual(['connection/disconnected', 'connection/disconnected']);
  });

  it('reports a refused connection as an error, after the SDK’s own retries, within the budget', async () => {
    pointInngestAt(await refusingUrl());
    const started = performance.now();
    expect(await dispatch(event)).toEqual({ ok: false, reason: 'error' });
    expect(performance.now() - started).toBeLessThan(INTERACTIVE_SEND_TIMEOUT_MS + 200);
  });

  it('stops waiting for an event API that never answers', async () => {
    pointInngestAt(silent.url);
    const started = performance.now();
    expect(await dispatch(event, { timeoutMs: 300 })).toEqual({ ok: false, reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('fails at once, without a network call, in cloud mode without an event key', async () => {
    delete process.env.INNGEST_BASE_URL;
    process.env.INNGEST_DEV = '0';
    inngest.setEnvVars();
    const started = performance.now();
    expect(await dispatch(event)).toEqual({ ok: false, reason: 'error' });
    expect(performance.now() - started).toBeLessThan(200);
  });
});
