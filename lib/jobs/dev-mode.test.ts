import { describe, expect, it } from 'vitest';
import { INNGEST_DEV_REFUSED, inngestDevModeRequested, inngestDevProblem } from './dev-mode';

describe('Inngest dev mode', () => {
  it('reads INNGEST_DEV as the SDK does: 1/true or a URL is dev, 0/false/unset is cloud', () => {
    for (const value of ['1', 'true', 'TRUE', ' 1 ', 'http://localhost:8288', 'inngest:8288']) {
      expect(inngestDevModeRequested({ INNGEST_DEV: value }), value).toBe(true);
    }
    for (const value of [undefined, '', '0', 'false', 'False']) {
      expect(inngestDevModeRequested({ INNGEST_DEV: value }), String(value)).toBe(false);
    }
  });

  it('is a problem only in production, and only until ALLOW_INNGEST_DEV=1', () => {
    expect(inngestDevProblem({ NODE_ENV: 'production', INNGEST_DEV: '1' })).toBe(INNGEST_DEV_REFUSED);
    expect(inngestDevProblem({ NODE_ENV: 'production', INNGEST_DEV: '1', ALLOW_INNGEST_DEV: 'yes' })).toBe(
      INNGEST_DEV_REFUSED,
    );
    expect(inngestDevProblem({ NODE_ENV: 'production', INNGEST_DEV: '1', ALLOW_INNGEST_DEV: '1' })).toBeNull();
    expect(inngestDevProblem({ NODE_ENV: 'production', INNGEST_DEV: '0' })).toBeNull();
    expect(inngestDevProblem({ NODE_ENV: 'development', INNGEST_DEV: '1' })).toBeNull();
  });
});
