// The route handlers under app/api, found by reading the folder (not from a list), for the tests that
// must cover every one of them: the access matrix (in-process) and e2e/access.spec.ts (over HTTP).
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Every route.ts under `appDir`/api, with its URL pattern (`/api/auth/[...nextauth]`). */
export function routeHandlerFiles(appDir: string, dir = path.join(appDir, 'api')): { pattern: string; file: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeHandlerFiles(appDir, file);
    if (!/^route\.(ts|tsx|js)$/.test(entry.name)) return [];
    return [{ pattern: `/${path.relative(appDir, dir).split(path.sep).join('/')}`, file }];
  });
}
