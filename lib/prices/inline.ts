import 'server-only';
import { jobsStatus } from '@/lib/jobs/availability';

/**
 * Whether work Inngest would do on a schedule has to be done inline: only where syncs run inline too
 * (`next dev` with no Inngest dev server answering), since then no cron runs. The probe is the jobs
 * layer's, shared with Sync now.
 */
export async function shouldRefreshInline(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return (await jobsStatus(env)).mode === 'inline';
}
