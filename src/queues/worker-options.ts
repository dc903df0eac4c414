import type { WorkerOptions } from 'bullmq';
import type { RedisConnection } from '../redis';
import { bullPrefix } from './queue-prefix';
import type { Logger } from 'pino';

export type WorkerLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** What every Moddy worker is given. */
export interface BaseWorkerOptions {
  /** A connection made with `createWorkerConnection` (`maxRetriesPerRequest: null`). */
  connection: RedisConnection;
  /** BullMQ prefix (`QUEUE_PREFIX`, default `CACHE_PREFIX`); hash-tagged on a cluster (`bullPrefix`). */
  prefix: string;
  logger: WorkerLogger;
  /** Jobs in flight in this process. Default 50 (`WORKER_CONCURRENCY`). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal; a worker that dies leaves its jobs "stalled" and
   * another worker takes them back after about this long. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. Default 30 s. */
  stalledIntervalMs?: number;
}

/** The BullMQ options shared by the workers: stalled jobs go back to wait (twice at most) instead of staying active. */
export function bullWorkerOptions(options: BaseWorkerOptions): WorkerOptions {
  return {
    connection: options.connection,
    prefix: bullPrefix(options.prefix, options.connection),
    concurrency: options.concurrency ?? 50,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 2,
    autorun: true,
  };
}
