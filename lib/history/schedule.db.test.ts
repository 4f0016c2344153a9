// The history scheduler's claim: due connections only, each once, against the real database.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/db';
import { historyImports, type HistoryImportState } from '@/db/schema';
import { withTestDatabase } from '@/lib/testing/database';
import { createTestConnection, createTestUser, useTestKeyring } from '@/lib/testing/factories';
import { claimAndSendHistoryPage, claimDueHistoryImports } from './schedule';

withTestDatabase({ isolated: true });
beforeAll(() => {
  useTestKeyring();
  // Cloud mode without an event key: every send fails at once, as an unreachable Inngest would.
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_BASE_URL;
  delete process.env.INNGEST_EVENT_KEY;
});

const MINUTE = 60_000;

async function connectionWithImport(
  label: string,
  values: {
    state?: HistoryImportState;
    nextImportAt?: Date | null;
    updatedAt?: Date;
    status?: 'active' | 'needs_reauth' | 'disabled';
    disconnected?: boolean;
  },
) {
  const userId = await createTestUser();
  const connectionId = await createTestConnection({
    userId,
    exchangeId: 'kraken',
    label,
    values: { status: values.status ?? 'active', disconnectedAt: values.disconnected ? new Date() : null },
  });
  await getDb()
    .insert(historyImports)
    .values({
      connectionId,
      userId,
      state: values.state ?? 'succeeded',
      nextImportAt: values.nextImportAt ?? null,
      updatedAt: values.updatedAt ?? new Date(),
    });
  return { label, connectionId, userId };
}

describe('claimDueHistoryImports', () => {
  it('claims exactly the connected imports that are due and not running, each once', async () => {
    const now = new Date();
    const due = (ms: number) => new Date(now.getTime() - ms);
    const rows = [
      await connectionWithImport('due-succeeded', { nextImportAt: due(MINUTE) }),
      await connectionWithImport('due-failed', { state: 'failed', nextImportAt: due(1) }),
      await connectionWithImport('due-idle', { state: 'idle', nextImportAt: due(10 * MINUTE) }),
      await connectionWithImport('due-stale-running', {
        state: 'running',
        nextImportAt: due(MINUTE),
        updatedAt: due(61 * MINUTE),
      }),
      await connectionWithImport('not-due', { nextImportAt: new Date(now.getTime() + MINUTE) }),
      await connectionWithImport('never', { state: 'idle', nextImportAt: null }),
      await connectionWithImport('running', { state: 'running', nextImportAt: due(MINUTE), updatedAt: due(MINUTE) }),
      await connectionWithImport('queued', { state: 'queued', nextImportAt: due(MINUTE) }),
      await connectionWithImport('disconnected', { nextImportAt: due(MINUTE), disconnected: true }),
      await connectionWithImport('needs-reauth', { nextImportAt: due(MINUTE), status: 'needs_reauth' }),
      await connectionWithImport('disabled', { nextImportAt: due(MINUTE), status: 'disabled' }),
    ];
    const labelOf = new Map(rows.map((row) => [row.connectionId, row.label]));

    const claimed = await claimDueHistoryImports({ now, limit: 100 });

    expect(claimed.map((row) => labelOf.get(row.connectionId)).sort()).toEqual([
      'due-failed',
      'due-idle',
      'due-stale-running',
      'due-succeeded',
    ]);
    for (const row of claimed) {
      expect(row).toMatchObject({
        exchangeId: 'kraken',
        userId: rows.find((r) => r.connectionId === row.connectionId)!.userId,
      });
      const [stored] = await getDb()
        .select()
        .from(historyImports)
        .where(eq(historyImports.connectionId, row.connectionId));
      expect(stored!.state).toBe('queued');
      // The next one is an interval (an hour by default) on.
      expect(stored!.nextImportAt!.getTime()).toBe(now.getTime() + 3600_000);
    }
    // Claimed rows are not due again: a repeated tick claims nothing.
    expect(await claimDueHistoryImports({ now, limit: 100 })).toEqual([]);
  });

  it('claims at most `limit` at a time, the longest due first', async () => {
    const now = new Date(Date.now() + 365 * 24 * 60 * MINUTE);
    // Longer due than any row of the other tests (whose next imports this far-off `now` has passed too).
    const early = await connectionWithImport('early', { nextImportAt: new Date(Date.UTC(2000, 0, 1)) });
    await connectionWithImport('later', { nextImportAt: new Date(now.getTime() - MINUTE) });
    const first = await claimDueHistoryImports({ now, limit: 1 });
    expect(first.map((row) => row.connectionId)).toEqual([early.connectionId]);
  });

  it('releases the claims when the events cannot be sent, so the next tick takes them again', async () => {
    const now = new Date(Date.now() + 2 * 365 * 24 * 60 * MINUTE);
    const row = await connectionWithImport('unsent', { nextImportAt: new Date(now.getTime() - MINUTE) });
    await expect(claimAndSendHistoryPage({ now, limit: 100 })).rejects.toThrow(/Could not send/);
    const [stored] = await getDb()
      .select()
      .from(historyImports)
      .where(eq(historyImports.connectionId, row.connectionId));
    expect(stored).toMatchObject({ state: 'idle' });
    expect(stored!.nextImportAt!.getTime()).toBe(now.getTime());
    const again = await claimDueHistoryImports({ now, limit: 100 });
    expect(again.map((claimed) => claimed.connectionId)).toContain(row.connectionId);
  });
});
