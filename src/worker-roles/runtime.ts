import type { Worker } from 'bullmq';
import { redisTargetFromConfig, type RedisConnection, type RedisTargetLike } from '../redis';
import type { Config } from '../config';
import { createLogger, type Logger } from '../core/logger';
import { createDataSource, poolSettings } from '../db/data-source';
import { PostgresDatabase } from '../db/postgres-database';
import { postgresCheck, redisCheck, type HealthCheck } from '../observability/health-checks';
import { startHealthServer, type HealthServer } from '../observability/health-server';
import { observeJobs } from '../observability/job-metrics';
import { MetricsRegistry } from '../observability/metrics';
import { bullPrefix, queuePrefix } from '../queues/queue-prefix';
import { jobCounts } from '../queues/job-counts';
import { createWorkerConnection } from '../queues/connection';
import { createQueues } from '../queues/queues';
import { closeOnSignal } from '../core/shutdown';
import { signalReady } from '../core/entry-point';

/** What a worker role's `start…` function returns. */
export interface RunningWorker {
  worker: Worker;
  /** The connection the worker was given (its blocking connection is BullMQ's own duplicate). */
  connection: RedisConnection;
  /** Finishes the active jobs, then closes every connection the worker opened. */
  close(): Promise<void>;
  /** Readiness checks of this role, beside PostgreSQL and Redis (e.g. Discord accepting the log posts). */
  checks?: Record<string, HealthCheck>;
}

/** Options every `start…Worker` takes; unset fields come from `config`. */
export interface StartWorkerOptions {
  /** The process configuration, read by the entry point (`parseConfig({})`: the defaults). */
  config: Config;
  /** Default: the configured Redis (`redisTargetFromConfig`). */
  redis?: RedisTargetLike;
  /** Default `QUEUE_PREFIX`, else `CACHE_PREFIX`. */
  prefix?: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Default: the process logger's child tagged with the role. */
  logger?: Logger;
}

/** The resolved connection settings of a worker. */
export function workerSettings(options: StartWorkerOptions, role: string) {
  const { config } = options;
  const connection = createWorkerConnection(options.redis ?? redisTargetFromConfig(config));
  return {
    config,
    connection,
    prefix: bullPrefix(options.prefix ?? queuePrefix(config), connection),
    logger: options.logger ?? createLogger(role),
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
  };
}

/** The uncached data API on `DATABASE_URL` (workers only write and purge: a cache would only cost). */
export async function openDatabase(config: Config): Promise<PostgresDatabase> {
  const dataSource = createDataSource({ url: config.DATABASE_URL, ...poolSettings(config), applicationName: 'moddy-worker' });
  await dataSource.initialize();
  return new PostgresDatabase(dataSource, {
    maxDataValueBytes: config.DATA_MAX_VALUE_BYTES,
    preparedStatements: !config.DATABASE_PGBOUNCER,
  });
}

/**
 * The main block of a worker process: opens the database, starts the role (`start`: a
 * `start…Worker`, given the configuration and the database), serves /health (liveness), /ready
 * (PostgreSQL and Redis answer, plus the role's own checks) and /metrics (its queue's depth, jobs
 * completed and failed, durations) on `HEALTH_PORT` (default `defaultPort`; 0: off), drains on
 * SIGINT/SIGTERM, and tells pm2 it is ready once its worker and endpoint are.
 */
export async function runWorkerProcess(
  config: Config,
  role: string,
  defaultPort: number,
  start: (options: { config: Config; db: PostgresDatabase }) => Promise<RunningWorker>,
): Promise<void> {
  const logger = createLogger(role);
  const db = await openDatabase(config);
  const running = await start({ config, db });
  const port = config.HEALTH_PORT ?? defaultPort;
  let health: HealthServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  if (port !== 0) {
    const metrics = new MetricsRegistry(role);
    const queues = createQueues({ connection: running.connection, prefix: running.worker.opts.prefix ?? queuePrefix(config) });
    // Only this role's queue: each role's /metrics reports the queue it works.
    metrics.queues(() => jobCounts(queues.all().filter((queue) => queue.name === running.worker.name)));
    observeJobs(running.worker, metrics.jobs());
    closers.push(() => queues.close());
    health = await startHealthServer({
      host: config.HEALTH_HOST,
      port,
      metrics,
      checks: { postgres: postgresCheck(db.dataSource), redis: redisCheck(running.connection), ...running.checks },
    });
  }
  closeOnSignal(async () => {
    await running.close();
    for (const close of closers) await close();
    await health?.close();
    await db.close();
  }, logger);
  logger.info({ health: health?.url }, `${role} worker started`);
  signalReady();
}
