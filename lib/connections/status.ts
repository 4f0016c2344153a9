import 'server-only';
import { getDb, type Database } from '@/db';
import { jobsStatus } from '@/lib/jobs/availability';
import { listConnections } from './list';
import { toConnectionView, type SyncStatusView } from './view';

/**
 * What the status route answers: the user's listed connections with their pending and latest runs, and
 * whether scheduled syncs can run at all (a probe of the Inngest dev server in development, cached).
 */
export async function getSyncStatus(userId: string, db: Database = getDb()): Promise<SyncStatusView> {
  const [listed, jobs] = await Promise.all([listConnections(userId, db), jobsStatus()]);
  const connections = listed.map(toConnectionView);
  return {
    connections,
    pending: connections.some((connection) => connection.pendingRun !== null),
    checkedAt: new Date().toISOString(),
    jobs,
  };
}
