import { afterEach, describe, expect, it } from 'vitest';
import { refusingUrl, startHttpServer } from '@/lib/testing/http-server';
import { WARM_ROUTES, warmRoutes } from './warm-routes';

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('warming the main routes of next dev', () => {
  it('waits for Next, asks for each main route once in turn (signed-in pages as a prefetch), then prints the URL', async () => {
    const url = await refusingUrl();
    const seen: string[] = [];
    const printed: Array<{ line: string; after: number }> = [];
    const warmed = warmRoutes(url, { pollMs: 20, print: (line) => printed.push({ line, after: seen.length }) });

    // Next starts listening a moment later, as `next dev` does after the migration.
    await new Promise((resolve) => setTimeout(resolve, 150));
    servers.push(
      await startHttpServer(
        (req, res) => {
          const prefetch = req.headers['next-router-prefetch'] === '1' && req.headers.rsc === '1';
          seen.push(`${req.url}${prefetch ? ' (prefetch)' : ''}`);
          res.writeHead(prefetch ? 307 : 200).end();
        },
        Number(new URL(url).port),
      ),
    );
    await warmed;

    expect(seen).toEqual([
      '/sign-in',
      ...WARM_ROUTES.map((route) => `${route.path}${route.signedIn ? ' (prefetch)' : ''}`),
    ]);
    expect(WARM_ROUTES.map((route) => route.path)).toEqual(
      expect.arrayContaining(['/sign-in', '/sign-up', '/', '/exchanges', '/exchanges/new', '/portfolio', '/settings']),
    );
    // Once, and only after every route answered.
    expect(printed).toEqual([{ line: expect.stringMatching(new RegExp(`^Ready on ${url} `)), after: seen.length }]);
  });

  it('stops asking and prints nothing once the dev server is stopping', async () => {
    const printed: string[] = [];
    await warmRoutes(await refusingUrl(), { stopping: () => true, print: (line) => printed.push(line) });
    expect(printed).toEqual([]);
  });
});
