import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { RedisConnection } from '../redis';
import { purgeStaleCacheEntries } from '../cache/purge';
import type { ModdyDatabase } from '../db/api';
import { QUEUE_NAMES } from './names';
import { bullWorkerOptions, type BaseWorkerOptions } from './worker-options';

/** One scheduled cleanup. Its job's return value (shown on the board) is what `run` resolves with. */
export interface MaintenanceStep {
  /** Stable: the job scheduler's id is derived from it. Letters, digits and `-` only. */
  name: string;
  run(): Promise<unknown>;
}

export interface DefaultStepsOptions {
  db: Pick<ModdyDatabase, 'cleanupOldErrors' | 'cleanupGuildsCache' | 'cleanupCacheInvalidations'>;
  /** Where the cache tier keeps its entries (`<cachePrefix>:v<n>:…`). */
  redis: RedisConnection;
  cachePrefix: string;
  /** `ERROR_RETENTION_DAYS`. */
  errorRetentionDays: number;
  /** `GUILDS_CACHE_MAX_AGE_DAYS`. */
  guildsCacheMaxAgeDays: number;
}

/**
 * The cleanups of the design: old errors, stale `guilds_cache` rows, the cache tier's keys that
 * would never expire (its own `purgeStaleCacheEntries`: other schema versions, keys without TTL)
 * and its invalidation log past a day (older rows guard no entry: every TTL is shorter).
 * Each deletes in bounded batches.
 */
export function defaultMaintenanceSteps(options: DefaultStepsOptions): MaintenanceStep[] {
  return [
    { name: 'errors-retention', run: async () => ({ deleted: await options.db.cleanupOldErrors(options.errorRetentionDays) }) },
    { name: 'guilds-cache', run: async () => ({ deleted: await options.db.cleanupGuildsCache(options.guildsCacheMaxAgeDays) }) },
    { name: 'cache-purge', run: () => purgeStaleCacheEntries(options.redis, options.cachePrefix) },
    {
      name: 'cache-invalidation-log',
      run: async () => ({ deleted: await options.db.cleanupCacheInvalidations(CACHE_INVALIDATION_LOG_RETENTION_MINUTES) }),
    },
  ];
}

const CACHE_INVALIDATION_LOG_RETENTION_MINUTES = 24 * 60;

export const schedulerId = (step: MaintenanceStep): string => `maintenance-${step.name}`;

/**
 * One BullMQ job scheduler per step, with a stable id: every maintenance worker calls this at
 * start, and the upsert leaves a single schedule (one job per tick), however many run it.
 */
export async function scheduleMaintenance(queue: Queue, steps: readonly MaintenanceStep[], everyMs: number): Promise<void> {
  for (const step of steps) {
    await queue.upsertJobScheduler(schedulerId(step), { every: everyMs }, { name: step.name });
  }
}

export interface MaintenanceWorkerOptions extends BaseWorkerOptions {
  steps: readonly MaintenanceStep[];
}

/** Runs the step a scheduled job names. Steps are independent: one failing does not hold the others. */
export function createMaintenanceWorker(options: MaintenanceWorkerOptions): Worker {
  const steps = new Map(options.steps.map((step) => [step.name, step]));
  const worker = new Worker(
    QUEUE_NAMES.maintenance,
    async (job: Job) => {
      const step = steps.get(job.name);
      if (!step) throw new UnrecoverableError(`No maintenance step named ${job.name}`);
      const started = performance.now();
      const result = await step.run();
      options.logger.info({ step: step.name, result, ms: Math.round(performance.now() - started) }, 'maintenance: step done');
      return result;
    },
    bullWorkerOptions({ ...options, concurrency: options.concurrency ?? 1 }),
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'maintenance: worker error'));
  worker.on('failed', (job, error) => options.logger.warn({ err: error, step: job?.name }, 'maintenance: step failed'));
  return worker;
}
