import 'server-only';
import { getDb, type Database } from '@/db';
import { listConnections } from './list';
import { toConnectionView, type SyncStatusView } from './view';

/** What the status route answers: the user's listed connections with their pending and latest runs. */
export async function getSyncStatus(userId: string, db: Database = getDb()): Promise<SyncStatusView> {
  const connections = (await listConnections(userId, db)).map(toConnectionView);
  return {
    connections,
    pending: connections.some((connection) => connection.pendingRun !== null),
    checkedAt: new Date().toISOString(),
  };
}
