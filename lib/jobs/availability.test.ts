import { afterEach, describe, expect, it } from 'vitest';
import { refusingUrl, startHttpServer } from '@/lib/testing/http-server';
import {
  devServerReachable,
  devServerUrl,
  forgetDevServerProbe,
  inlineFallbackAllowed,
  jobsStatus,
  PROBE_CACHE_MS,
  PROBE_TIMEOUT_MS,
} from './availability';

afterEach(() => forgetDevServerProbe());

describe('where the Inngest dev server is', () => {
  it('resolves it as the SDK does: INNGEST_BASE_URL, INNGEST_DEV as a URL, else :8288', () => {
    expect(devServerUrl({ INNGEST_DEV: '1', INNGEST_BASE_URL: 'http://127.0.0.1:9999' })).toBe('http://127.0.0.1:9999');
    expect(devServerUrl({ INNGEST_DEV: 'http://inngest:8288' })).toBe('http://inngest:8288');
    expect(devServerUrl({ INNGEST_DEV: '1' })).toBe('http://localhost:8288');
  });
});

describe('the inline fallback', () => {
  it('is allowed only under next dev in Inngest dev mode', () => {
    expect(inlineFallbackAllowed({ NODE_ENV: 'development', INNGEST_DEV: '1' })).toBe(true);
    expect(inlineFallbackAllowed({ NODE_ENV: 'development', INNGEST_DEV: '0' })).toBe(false);
    expect(inlineFallbackAllowed({ NODE_ENV: 'production', INNGEST_DEV: '1', ALLOW_INNGEST_DEV: '1' })).toBe(false);
    expect(inlineFallbackAllowed({ NODE_ENV: 'production' })).toBe(false);
    expect(inlineFallbackAllowed({ NODE_ENV: 'test', INNGEST_DEV: '1' })).toBe(false);
  });

  it('runs inline in development when nothing answers at the dev server URL, and in the background when something does', async () => {
    const closed = await refusingUrl();
    expect(await jobsStatus({ NODE_ENV: 'development', INNGEST_DEV: '1', INNGEST_BASE_URL: closed })).toEqual({
      mode: 'inline',
      scheduledSyncsPaused: true,
    });
    // Any answer counts, a 404 too: the dev server is there.
    const server = await startHttpServer((_req, res) => res.writeHead(404).end());
    try {
      expect(await jobsStatus({ NODE_ENV: 'development', INNGEST_DEV: '1', INNGEST_BASE_URL: server.url })).toEqual({
        mode: 'background',
        scheduledSyncsPaused: false,
      });
    } finally {
      await server.close();
    }
  });

  it('gives up on a dev server that accepts and never answers within the probe timeout', async () => {
    const silent = await startHttpServer(() => {});
    try {
      const started = performance.now();
      expect(await devServerReachable({ INNGEST_BASE_URL: silent.url })).toBe(false);
      expect(performance.now() - started).toBeLessThan(PROBE_TIMEOUT_MS + 1_000);
    } finally {
      await silent.close();
    }
  });

  it('reuses a probe for a few seconds, then asks again (a dev server started later is picked up)', async () => {
    let requests = 0;
    const server = await startHttpServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    try {
      const env = { INNGEST_BASE_URL: server.url };
      const now = Date.now();
      expect(await devServerReachable(env, now)).toBe(true);
      expect(await devServerReachable(env, now + PROBE_CACHE_MS - 1)).toBe(true);
      expect(requests).toBe(1);
      expect(await devServerReachable(env, now + PROBE_CACHE_MS)).toBe(true);
      expect(requests).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('never falls back in production, even with Inngest unreachable', async () => {
    const closed = await refusingUrl();
    expect(
      await jobsStatus({ NODE_ENV: 'production', INNGEST_DEV: '1', ALLOW_INNGEST_DEV: '1', INNGEST_BASE_URL: closed }),
    ).toEqual({ mode: 'background', scheduledSyncsPaused: false });
    // Cloud mode with its keys: Inngest runs the scheduler. Without the signing key it cannot call the app.
    expect(
      await jobsStatus({ NODE_ENV: 'production', INNGEST_SIGNING_KEY: 'signkey-prod-00', INNGEST_EVENT_KEY: 'k' }),
    ).toEqual({
      mode: 'background',
      scheduledSyncsPaused: false,
    });
    expect(await jobsStatus({ NODE_ENV: 'production', INNGEST_EVENT_KEY: 'k' })).toEqual({
      mode: 'unconfigured',
      scheduledSyncsPaused: true,
    });
  });
});
