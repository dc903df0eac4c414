import type { RedisConnection } from '../redis';
import type { ModdyDatabase } from '../db/api';
import { createMaintenanceWorker, defaultMaintenanceSteps, scheduleMaintenance, type MaintenanceStep } from '../queues/maintenance';
import { createQueues } from '../queues/queues';
import { workerSettings, type RunningWorker, type StartWorkerOptions } from './runtime';

export interface StartMaintenanceOptions extends StartWorkerOptions {
  db: Pick<ModdyDatabase, 'cleanupOldErrors' | 'cleanupGuildsCache' | 'cleanupCacheInvalidations'>;
  /** Default: the design's cleanups (`defaultMaintenanceSteps`) on the configured ages. */
  steps?: (redis: RedisConnection) => MaintenanceStep[];
  /** Default `MAINTENANCE_INTERVAL_MINUTES`. */
  everyMs?: number;
  /** Prefix of the cache tier's keys. Default `CACHE_PREFIX`. */
  cachePrefix?: string;
}

/** The maintenance worker: registers the schedules (idempotent) and runs the steps they fire. */
export async function startMaintenanceWorker(options: StartMaintenanceOptions): Promise<RunningWorker> {
  const settings = workerSettings(options, 'maintenance');
  const { config, connection, prefix } = settings;
  const steps =
    options.steps?.(connection) ??
    defaultMaintenanceSteps({
      db: options.db,
      redis: connection,
      cachePrefix: options.cachePrefix ?? config.CACHE_PREFIX,
      errorRetentionDays: config.ERROR_RETENTION_DAYS,
      guildsCacheMaxAgeDays: config.GUILDS_CACHE_MAX_AGE_DAYS,
    });
  const queues = createQueues({ connection, prefix });
  await scheduleMaintenance(queues.maintenance, steps, options.everyMs ?? config.MAINTENANCE_INTERVAL_MINUTES * 60_000);
  const worker = createMaintenanceWorker({ ...settings, steps, concurrency: options.concurrency });
  await worker.waitUntilReady();
  return {
    worker,
    connection,
    async close() {
      await worker.close();
      await queues.close();
      await connection.quit();
    },
  };
}
