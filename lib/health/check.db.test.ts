import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { setDatabaseHandle } from '@/db';
import { withTestDatabase } from '@/lib/testing/database';
import { checkHealth } from './check';

const { handle } = withTestDatabase();

let unreachable: DatabaseHandle | undefined;
afterEach(async () => {
  setDatabaseHandle(handle());
  await unreachable?.close();
  unreachable = undefined;
});

describe('checkHealth', () => {
  it('answers ok with the database reachable and the background-job mode, nothing else', async () => {
    expect(await checkHealth()).toEqual({
      status: 'ok',
      database: 'ok',
      jobs: expect.stringMatching(/^(dev|cloud)$/),
    });
  });

  it('answers unavailable when the database cannot be reached', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    unreachable = openDatabase({ url: 'postgres://coinsphere:db-password-canary@127.0.0.1:1/coinsphere' });
    setDatabaseHandle(unreachable);
    const health = await checkHealth();
    expect(health).toEqual({ status: 'unavailable', database: 'unreachable', jobs: expect.any(String) });
    expect(JSON.stringify(health)).not.toContain('db-password-canary');
  });
});
