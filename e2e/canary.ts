// The canary sweep's tools: unique credential values to follow through the app, the places they must never
// reach (logs, HTTP and RSC bodies, Inngest events and step outputs, the database), and the search itself.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import postgres from 'postgres';
import type { PGlite } from '@electric-sql/pglite';
import type { SimExchangeId } from '@/lib/testing/exchange-simulator/types';
import type { SimKey } from './support';
import { coinbasePrivateKey } from '@/lib/testing/exchange-accounts';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A value no code would write by chance, that credential validation accepts (printable ASCII, no quotes). */
export const canary = (what: string) => `CANARY${what}${hex(12)}`;

/** A key whose every secret part is a canary, valid for the simulated exchange (Kraken's secret is base64). */
export function canaryKey(exchange: SimExchangeId): Omit<SimKey, 'form'> {
  switch (exchange) {
    case 'binance':
      return { exchange, apiKey: canary('KEY'), secret: canary('SECRET') };
    case 'kraken':
      // 12 + 64 characters of base64 alphabet: a multiple of four, so it decodes like a real Kraken secret.
      return { exchange, apiKey: canary('KEY'), secret: `CANARYSECRET${randomBytes(48).toString('base64')}` };
    case 'kucoin':
      return { exchange, apiKey: canary('KEY'), secret: canary('SECRET'), passphrase: canary('PASS') };
    case 'coinbase': {
      return {
        exchange,
        apiKey: `organizations/${randomUUID()}/apiKeys/${randomUUID()}`,
        secret: coinbasePrivateKey(),
      };
    }
  }
}

/** What to search for: each secret, its escaped forms, and each line of a PEM's body on its own. */
export function needles(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (secret.includes('-----BEGIN')) {
      for (const line of secret.split('\n')) if (line && !line.startsWith('-----')) out.add(line);
      out.add(secret.replace(/\n/g, '\\n'));
      continue;
    }
    out.add(secret);
    out.add(encodeURIComponent(secret));
    out.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...out].filter((needle) => needle.length >= 12);
}

/**
 * Signed requests and auth headers with a value (the redacted forms `signature=[redacted]` and
 * `API-Sign: [redacted]` are what redaction leaves, and are allowed).
 */
export const SIGNED_PATTERNS: RegExp[] = [
  /signature=(?!\[redacted\])[A-Za-z0-9%+/=_-]{8,}/i,
  /accesskeyid=(?!\[redacted\])[A-Za-z0-9%_-]{8,}/i,
  /API-Sign["']?\s*[:=]\s*["']?(?!\[redacted\])[A-Za-z0-9+/=]{8,}/i,
  /KC-API-[A-Z-]+["']?\s*[:=]\s*["']?(?!\[redacted\])[A-Za-z0-9+/=_-]{8,}/i,
  /X-MBX-APIKEY["']?\s*[:=]\s*["']?(?!\[redacted\])[A-Za-z0-9_-]{8,}/i,
  /\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/-]{16,}/,
];

/** A password hash belongs in users.password_hash and nowhere else. */
const PASSWORD_HASH = /\$argon2id\$/;

export interface Sink {
  /** Where the text came from, e.g. "dev server stdout+stderr" or "response GET /exchanges". */
  place: string;
  text: string;
  /** The users table, where password hashes are stored. */
  holdsPasswordHashes?: boolean;
}

export interface SweepReport {
  places: number;
  bytes: number;
  findings: string[];
}

/** Searches every sink for every needle and signed pattern; a finding names the place and what was found. */
export function sweep(sinks: readonly Sink[], secrets: readonly string[]): SweepReport {
  const findings: string[] = [];
  const search = needles(secrets);
  let bytes = 0;
  for (const { place, text, holdsPasswordHashes } of sinks) {
    bytes += Buffer.byteLength(text);
    for (const needle of search) {
      const at = text.indexOf(needle);
      if (at >= 0) findings.push(`${place}: a canary at ${at}: …${text.slice(Math.max(0, at - 80), at + 20)}…`);
    }
    for (const pattern of holdsPasswordHashes ? SIGNED_PATTERNS : [...SIGNED_PATTERNS, PASSWORD_HASH]) {
      const match = pattern.exec(text);
      if (match)
        findings.push(`${place}: ${pattern} matched …${text.slice(Math.max(0, match.index - 80), match.index + 60)}…`);
    }
  }
  return { places: sinks.length, bytes, findings };
}

/** Every response body the page receives (HTML, RSC payloads, server action answers, scripts, JSON). */
export function recordResponses(page: Page): { sinks: () => Promise<Sink[]> } {
  const pending: Promise<Sink | null>[] = [];
  page.on('response', (response) => {
    pending.push(
      response
        .body()
        .then((body) => ({
          place: `response ${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`,
          text: body.toString('utf8'),
        }))
        // Redirects and aborted navigations have no body to read.
        .catch(() => null),
    );
  });
  return { sinks: async () => (await Promise.all(pending)).filter((sink): sink is Sink => sink !== null) };
}

const DUMP_TABLES = `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
const dumpQuery = (table: string) => `select row_to_json(t)::text as row from "${table.replace(/"/g, '""')}" t`;

/** Every table of a PostgreSQL database (or a PGlite served over the wire protocol) as text, one sink per table. */
export async function dumpDatabase(sql: postgres.Sql, label: string): Promise<Sink[]> {
  const tables = await sql.unsafe<{ table_name: string }[]>(DUMP_TABLES);
  const sinks: Sink[] = [];
  for (const { table_name: table } of tables) {
    const rows = await sql.unsafe<{ row: string }[]>(dumpQuery(table));
    sinks.push({
      place: `${label} table ${table} (${rows.length} rows)`,
      text: rows.map((r) => r.row).join('\n'),
      holdsPasswordHashes: table === 'users',
    });
  }
  return sinks;
}

/** The same dump of an embedded PGlite database opened in this process. */
export async function dumpPglite(db: PGlite, label: string): Promise<Sink[]> {
  const tables = await db.query<{ table_name: string }>(DUMP_TABLES);
  const sinks: Sink[] = [];
  for (const { table_name: table } of tables.rows) {
    const rows = await db.query<{ row: string }>(dumpQuery(table));
    sinks.push({
      place: `${label} table ${table} (${rows.rows.length} rows)`,
      text: rows.rows.map((r) => r.row).join('\n'),
      holdsPasswordHashes: table === 'users',
    });
  }
  return sinks;
}
