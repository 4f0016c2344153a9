import { randomBytes } from 'node:crypto';
import { isProduction, readOrCreateDataFile } from '@/lib/config/data-file';

export const MISSING_AUTH_SECRET =
  'AUTH_SECRET is required in production: set it to a random value (e.g. `openssl rand -base64 33`).';

let cached: string | undefined;

/**
 * The secret that signs and encrypts session cookies. Required in production; in development a
 * random one is generated once into `.data/auth-secret` and reused, so sessions survive restarts.
 */
export function resolveAuthSecret(): string {
  if (cached) return cached;
  const fromEnv = process.env.AUTH_SECRET?.trim();
  if (fromEnv) return (cached = fromEnv);
  if (isProduction()) throw new Error(MISSING_AUTH_SECRET);
  const { value, created } = readOrCreateDataFile('auth-secret', () => randomBytes(33).toString('base64'));
  if (created) console.info('Generated a development AUTH_SECRET in .data/auth-secret.');
  return (cached = value);
}
