import path from 'node:path';
import { redisTargetFromConfig, type RedisConnection } from '../redis';
import type { Config } from '../config';
import type { ModdyDatabase } from '../db/api';
import { queuePrefix } from '../queues/queue-prefix';
import { createProducerConnection } from '../queues/connection';
import { createQueues, type ModdyQueues } from '../queues/queues';
import { ErrorSpool } from './spool';
import { createErrorTracker, type ErrorTracker, type TrackerLogger } from './tracker';
import type { ErrorTrackerOptions } from './tracker-options';

export interface ErrorPipeline {
  tracker: ErrorTracker;
  queues: ModdyQueues;
  /** The producer connection the queues and the code reservations share. */
  redis: RedisConnection;
  /** Stops the tracker, then closes the queues and the connection (not `db`, which the caller owns). */
  close(): Promise<void>;
}

/**
 * The error tracker of a process, built from its configuration (its Redis mode, `QUEUE_PREFIX`/
 * `CACHE_PREFIX`, `ERROR_RETENTION_DAYS`, `ERROR_SPOOL_PATH`). `overrides` tune the tracker.
 */
export function createErrorPipeline(
  config: Config,
  deps: { db: Pick<ModdyDatabase, 'recordError' | 'recordErrors' | 'getError'>; logger: TrackerLogger },
  overrides: Partial<ErrorTrackerOptions> = {},
): ErrorPipeline {
  const redis = createProducerConnection(redisTargetFromConfig(config));
  const prefix = queuePrefix(config);
  const queues = createQueues({ connection: redis, prefix });
  const spool = new ErrorSpool(path.resolve(config.ERROR_SPOOL_PATH));
  const tracker = createErrorTracker(
    { redis, queues, db: deps.db, spool, logger: deps.logger },
    { prefix, retentionDays: config.ERROR_RETENTION_DAYS, ...overrides },
  );
  return {
    tracker,
    queues,
    redis,
    async close() {
      await tracker.close();
      await queues.close();
      redis.disconnect();
    },
  };
}
