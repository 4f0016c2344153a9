import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INNGEST_DEV_REFUSED } from '@/lib/jobs/dev-mode';

const root = path.resolve(import.meta.dirname, '../..');

function runCheck(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(AUTH_SECRET|ENCRYPTION_KEYS|EXCHANGE_API_OVERRIDE|ALLOW_EXCHANGE_API_OVERRIDE|INNGEST_DEV|ALLOW_INNGEST_DEV)/.test(
          name,
        ),
    ),
  );
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=react-server', 'lib/config/check-production-env.ts'],
    { cwd: root, env: { ...clean, NODE_ENV: 'production', ...env }, encoding: 'utf8' },
  );
}

// Each case spawns tsx, which can take seconds on a loaded machine.
describe('production start-up check (npm start)', { timeout: 30_000 }, () => {
  it('refuses to start without AUTH_SECRET or ENCRYPTION_KEYS, one line each', () => {
    const result = runCheck({});
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Coinsphere cannot start: AUTH_SECRET is required in production: set it to a random value (e.g. `openssl rand -base64 33`).',
      'Coinsphere cannot start: ENCRYPTION_KEYS (or ENCRYPTION_KEYS_FILE) is required in production: set it to kid:base64key, e.g. "k1:$(openssl rand -base64 32)".',
    ]);
  });

  it('names a bad key without printing it', () => {
    const short = randomBytes(16).toString('base64');
    const result = runCheck({ AUTH_SECRET: 'x'.repeat(44), ENCRYPTION_KEYS: `k1:${short}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('key "k1" is 16 bytes; it must be exactly 32');
    expect(result.stderr).not.toContain(short);
  });

  it('refuses an exchange API override in production unless explicitly allowed', () => {
    const base = { AUTH_SECRET: 'x'.repeat(44), ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` };
    const refused = runCheck({ ...base, EXCHANGE_API_OVERRIDE: 'http://127.0.0.1:4010' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('EXCHANGE_API_OVERRIDE is set in production');
    const allowed = runCheck({
      ...base,
      EXCHANGE_API_OVERRIDE: 'http://127.0.0.1:4010',
      ALLOW_EXCHANGE_API_OVERRIDE: '1',
    });
    expect(allowed.status).toBe(0);
  });

  it('refuses Inngest dev mode (an unsigned /api/inngest) in production unless explicitly allowed', () => {
    const base = { AUTH_SECRET: 'x'.repeat(44), ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` };
    // Which values mean dev mode is unit-tested in lib/jobs/dev-mode.test.ts; each spawn here costs seconds.
    for (const INNGEST_DEV of ['1', 'http://inngest.internal:8288']) {
      const refused = runCheck({ ...base, INNGEST_DEV });
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim()).toBe(`Coinsphere cannot start: ${INNGEST_DEV_REFUSED}`);
    }
    const allowed = runCheck({ ...base, INNGEST_DEV: '1', ALLOW_INNGEST_DEV: '1' });
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
  });

  it('passes when both are set', () => {
    const result = runCheck({
      AUTH_SECRET: 'x'.repeat(44),
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
