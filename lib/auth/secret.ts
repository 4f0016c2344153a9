import { randomBytes } from 'node:crypto';
import { isProduction, readOrCreateDataFile } from '@/lib/runtime/data-file';
import { logger } from '@/lib/log';

export const MISSING_AUTH_SECRET =
  'AUTH_SECRET is required in production: set it to a random value (e.g. `openssl rand -base64 33`).';

let cached: string[] | undefined;

/**
 * The secrets that sign and encrypt session cookies: AUTH_SECRET first (it signs new sessions), then
 * AUTH_SECRET_1…3, still accepted while rotating. Required in production; in development a random one
 * is generated once into `.data/auth-secret` and reused, so sessions survive restarts.
 */
export function resolveAuthSecrets(): string[] {
  if (cached) return cached;
  const fromEnv = process.env.AUTH_SECRET?.trim();
  if (fromEnv) {
    const previous = [1, 2, 3].map((n) => process.env[`AUTH_SECRET_${n}`]?.trim()).filter((s): s is string => !!s);
    return (cached = [fromEnv, ...previous]);
  }
  if (isProduction()) throw new Error(MISSING_AUTH_SECRET);
  const { value, created } = readOrCreateDataFile('auth-secret', () => randomBytes(33).toString('base64'));
  if (created) logger.info('Generated a development AUTH_SECRET in .data/auth-secret.');
  return (cached = [value]);
}
