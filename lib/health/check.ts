import 'server-only';
import { sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { inngest } from '@/lib/jobs/client';
import { logger } from '@/lib/log';

/** How long the database may take to answer `select 1` before the app counts as unhealthy. */
export const DATABASE_PROBE_TIMEOUT_MS = 2_000;

export interface Health {
  status: 'ok' | 'unavailable';
  database: 'ok' | 'unreachable';
  /** Where background jobs go: a local Inngest dev server, or Inngest Cloud / a self-hosted server. */
  jobs: 'dev' | 'cloud';
}

async function databaseAnswers(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_PROBE_TIMEOUT_MS);
  });
  const probe = Promise.resolve()
    .then(() => getDb().execute(sql`select 1`))
    .then(
      () => true,
      (error: unknown) => {
        // The error's kind only (the logger drops driver messages); never the connection string.
        logger.warn({ err: error }, 'health check: the database did not answer');
        return false;
      },
    );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a load balancer or an operator may know without signing in: no version, no configuration values. */
export async function checkHealth(): Promise<Health> {
  const database = (await databaseAnswers()) ? 'ok' : 'unreachable';
  return { status: database === 'ok' ? 'ok' : 'unavailable', database, jobs: inngest.mode };
}
