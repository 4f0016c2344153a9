import { cleanStaleSyncs } from './clean-stale-syncs';
import { importHistoryFunction } from './import-history';
import { pruneSyncRuns } from './prune-sync-runs';
import { refreshExchangePricesFunction, refreshPrices } from './refresh-prices';
import { rotateCredentials } from './rotate-credentials';
import { scheduleHistoryImports } from './schedule-history-imports';
import { scheduleSyncs } from './schedule-syncs';
import { syncAll } from './sync-all';
import { syncConnectionFunction } from './sync-connection';

export const functions = [
  rotateCredentials,
  syncConnectionFunction,
  scheduleSyncs,
  syncAll,
  cleanStaleSyncs,
  pruneSyncRuns,
  refreshPrices,
  refreshExchangePricesFunction,
  importHistoryFunction,
  scheduleHistoryImports,
];
