// A browser's side of a server action, for tests that call the real actions: the request Next would
// hand them (`next/headers`), a signed-in session made by the real sign-in, and a fingerprint of the
// database to prove a call changed nothing.
//
// Only `next/headers` is replaced (in the test file: `vi.mock('next/headers', async () =>
// (await import('@/lib/testing/session')).nextHeaders)`). It is the one piece that needs a live Next
// request; everything under it runs for real: next-auth's credentials sign-in (password check, JWT
// cookie), getCurrentUser's cookie decryption and its session-version check against the database.
import 'server-only';
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { getDb } from '@/db';
import { createUser } from '@/lib/auth/users';

if (!process.env.AUTH_SECRET) process.env.AUTH_SECRET = `test-${randomUUID()}-${randomUUID()}`;

/** The cookies of the browser whose request the next action call reads (and whose cookies it sets). */
const jar = new Map<string, string>();

const cookieStore = {
  get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
  getAll: () => [...jar].map(([name, value]) => ({ name, value })),
  has: (name: string) => jar.has(name),
  set: (name: string, value: string, options?: { maxAge?: number; expires?: Date }) => {
    // Auth.js deletes a cookie by setting it empty and already expired.
    const expired =
      options?.maxAge === 0 || (options?.expires !== undefined && options.expires.getTime() <= Date.now());
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  },
  delete: (name: string) => void jar.delete(name),
};

/** Stands in for the `next/headers` module. */
export const nextHeaders = {
  cookies: async () => cookieStore,
  headers: async () =>
    new Headers({
      host: 'coinsphere.test',
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '203.0.113.7',
      cookie: cookieStore
        .getAll()
        .map(({ name, value }) => `${name}=${value}`)
        .join('; '),
    }),
};

export interface TestSession {
  userId: string;
  email: string;
  password: string;
  /** The browser's cookies right after signing in. */
  cookies: ReadonlyMap<string, string>;
}

/** A new user with a password, signed in through next-auth; the next action calls run as them. */
export async function signUpAndSignIn(): Promise<TestSession> {
  const email = `actions-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await createUser({ email, password });
  if (!created.ok) throw new Error('signUpAndSignIn: could not create the user');
  jar.clear();
  // Imported here, not at the top: next-auth imports `next/headers`, which a test replaces with this
  // module, and a static import would make that replacement wait for itself.
  const { signIn } = await import('@/lib/auth');
  await signIn('credentials', { email, password, redirect: false });
  if (jar.size === 0) throw new Error('signUpAndSignIn: next-auth set no session cookie');
  return { userId: created.user.id, email, password, cookies: new Map(jar) };
}

/** The next action calls run with this session's cookies, or with none (signed out). */
export function actAs(session: TestSession | null): void {
  jar.clear();
  for (const [name, value] of session?.cookies ?? []) jar.set(name, value);
}

async function rows(query: SQL): Promise<Record<string, unknown>[]> {
  const out: unknown = await getDb().execute(query);
  // postgres.js answers the rows themselves, PGlite an object that holds them.
  return (Array.isArray(out) ? out : (out as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
}

/**
 * A digest per table of the public schema: every row, or with `ownerId` only that user's (their users
 * row, rows with their user_id, rows of their connections). Equal digests before and after a call mean
 * it wrote nothing there — without the test naming the tables, so a new table is covered too.
 */
export async function databaseFingerprint(ownerId?: string): Promise<Record<string, string>> {
  const columns = await rows(sql`
    select c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`);
  const tables = new Map<string, Set<string>>();
  for (const { table_name, column_name } of columns) {
    const table = String(table_name);
    if (!tables.has(table)) tables.set(table, new Set());
    tables.get(table)!.add(String(column_name));
  }
  const fingerprint: Record<string, string> = {};
  for (const [table, names] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    let owned = sql``;
    if (ownerId !== undefined) {
      if (table === 'users') owned = sql`where t.id = ${ownerId}`;
      else if (names.has('user_id')) owned = sql`where t.user_id = ${ownerId}`;
      else if (names.has('connection_id')) {
        owned = sql`where t.connection_id in (select id from exchange_connections where user_id = ${ownerId})`;
      } else if (table === 'rate_limits') {
        // Counters are keyed by the subject they limit: the user's id, or one of their connections'.
        owned = sql`where t.key like '%' || ${ownerId} || '%' or exists (
          select 1 from exchange_connections c where c.user_id = ${ownerId} and t.key like '%' || c.id::text || '%')`;
      }
    }
    const [row] = await rows(sql`
      select count(*)::int as count, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
      from ${sql.identifier(table)} t ${owned}`);
    fingerprint[table] = `${String(row?.count)} rows, ${String(row?.digest)}`;
  }
  return fingerprint;
}

let digestQuery: SQL | undefined;

/**
 * One digest of every row of every table of the public schema, in one statement: what a test compares
 * around each of thousands of calls, where databaseFingerprint's query per table would dominate.
 */
export async function databaseDigest(): Promise<string> {
  if (!digestQuery) {
    // rate_limits counts attempts, valid or not (a sign-up with a taken email must count, or the
    // throttle would not slow down finding out which emails have accounts): not data a payload writes.
    const tables = await rows(sql`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'rate_limits'
      order by table_name`);
    const parts = tables.map(
      ({ table_name }) =>
        sql`select ${String(table_name)} as name, count(*) as count, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.identifier(String(table_name))} t`,
    );
    digestQuery = sql`select md5(string_agg(name || ':' || count || ':' || digest, ',' order by name)) as digest from (${sql.join(parts, sql` union all `)}) tables`;
  }
  const [row] = await rows(digestQuery);
  return String(row?.digest);
}
