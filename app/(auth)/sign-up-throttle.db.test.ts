// Sign-ups per address, through the real sign-up action (lib/testing/session.ts stands in for the
// request: every call comes from 203.0.113.7). The clock is Date's, moved by vi.setSystemTime.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withTestDatabase } from '@/lib/testing/database';
import { databaseFingerprint } from '@/lib/testing/session';
import { signUpAction } from './actions';

vi.mock('next/headers', async () => (await import('@/lib/testing/session')).nextHeaders);

withTestDatabase({ isolated: true });
beforeAll(() => vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true }));
afterAll(() => {
  vi.useRealTimers();
  delete process.env.LIMIT_SIGN_UPS;
});

/** Signs up through the action; a success ends in Next's redirect to the portfolio. */
async function signUp(n: number): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const answer = await signUpAction({
      email: `sign-up-${n}-${Date.now()}@example.com`,
      password: 'a long enough password',
    });
    return { ok: false, message: answer?.serverError ?? JSON.stringify(answer) };
  } catch (error) {
    if (error instanceof Error && error.message === 'NEXT_REDIRECT') return { ok: true };
    throw error;
  }
}

/** Accounts in this file's database (its own: nothing else signs up here). */
async function accountsCreated(): Promise<number> {
  return Number.parseInt((await databaseFingerprint()).users ?? '', 10);
}

describe('sign-up', () => {
  it('refuses an address past its limit before creating anything, and accepts it again after the window', async () => {
    process.env.LIMIT_SIGN_UPS = '3/600';
    for (let i = 0; i < 3; i++) expect(await signUp(i)).toEqual({ ok: true });
    vi.setSystemTime(Date.now() + 100_000);

    const refused = await signUp(3);
    expect(refused).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^Too many accounts were created from your network recently\. Try again in \d+ s\.$/,
      ),
    });
    const seconds = Number(/in (\d+) s/.exec((refused as { message: string }).message)![1]);
    expect(seconds).toBeGreaterThan(490);
    expect(seconds).toBeLessThanOrEqual(500);
    expect(await accountsCreated()).toBe(3);

    vi.setSystemTime(Date.now() + 501_000);
    expect(await signUp(4)).toEqual({ ok: true });
    expect(await accountsCreated()).toBe(4);
  });
});
