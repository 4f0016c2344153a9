import { z } from 'zod';

// The /activity page's position, opaque to the reader: the (occurred_at, id) of the row the next page
// continues from and which way. occurred_at is PostgreSQL's own text with microseconds, so a keyset
// comparison never loses the digits a JavaScript Date would.

export type ActivityDirection = 'older' | 'newer';

export interface ActivityCursor {
  direction: ActivityDirection;
  /** '2026-03-01T12:00:00.123456Z' */
  occurredAt: string;
  id: string;
}

const payload = z.object({
  d: z.enum(['o', 'n']),
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  i: z.uuid(),
});

export function encodeActivityCursor(cursor: ActivityCursor): string {
  const json = JSON.stringify({ d: cursor.direction === 'older' ? 'o' : 'n', t: cursor.occurredAt, i: cursor.id });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** The cursor, or null when it is not one this page wrote (edited, truncated, from another version). */
export function decodeActivityCursor(value: string): ActivityCursor | null {
  if (value.length > 200 || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = payload.safeParse(json);
  if (!parsed.success) return null;
  return { direction: parsed.data.d === 'o' ? 'older' : 'newer', occurredAt: parsed.data.t, id: parsed.data.i };
}
