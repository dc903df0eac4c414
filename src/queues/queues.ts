import { Queue, type DefaultJobOptions } from 'bullmq';
import type { RedisConnection } from '../redis';
import type { ErrorJobData } from './job-data';
import { bullPrefix } from './queue-prefix';
import { QUEUE_NAMES } from './names';

export interface QueuesOptions {
  connection: RedisConnection;
  /** BullMQ key prefix (`QUEUE_PREFIX`, default `CACHE_PREFIX`); hash-tagged on a cluster (`bullPrefix`). */
  prefix: string;
}

export interface ModdyQueues {
  errorPersistence: Queue<ErrorJobData>;
  discordLog: Queue<ErrorJobData>;
  maintenance: Queue;
  /** Every queue, for the board and the metrics. */
  all(): Queue[];
  close(): Promise<void>;
}

const DAY_SECONDS = 86_400;

/**
 * Retried with exponential backoff (up to 1 s, 2 s, 4 s, … ~17 min in all) while PostgreSQL is down.
 * Each delay is jittered (drawn from its upper half) so the jobs of one failed batch do not retry in
 * lock-step.
 */
export const ERROR_PERSISTENCE_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  // The row is the record; the job's id only has to dedupe while it is queued (inserts are idempotent).
  removeOnComplete: true,
  removeOnFail: { age: 7 * DAY_SECONDS },
};

/** Completed jobs are kept a day: their id (the code) then dedupes a re-enqueue, so one error is posted once. */
export const DISCORD_LOG_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: DAY_SECONDS, count: 50_000 },
  // Failed posts stay for the board until someone retries or cleans them.
  removeOnFail: false,
};

export const MAINTENANCE_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

/** The project's queues on one connection (shared: Queues issue no blocking command). */
export function createQueues({ connection, prefix: configured }: QueuesOptions): ModdyQueues {
  const prefix = bullPrefix(configured, connection);
  const errorPersistence = new Queue<ErrorJobData>(QUEUE_NAMES.errorPersistence, {
    connection,
    prefix,
    defaultJobOptions: ERROR_PERSISTENCE_JOB_OPTIONS,
  });
  const discordLog = new Queue<ErrorJobData>(QUEUE_NAMES.discordLog, { connection, prefix, defaultJobOptions: DISCORD_LOG_JOB_OPTIONS });
  const maintenance = new Queue(QUEUE_NAMES.maintenance, { connection, prefix, defaultJobOptions: MAINTENANCE_JOB_OPTIONS });
  const queues = [errorPersistence, discordLog, maintenance] as Queue[];
  for (const queue of queues) queue.on('error', () => undefined);
  return {
    errorPersistence,
    discordLog,
    maintenance,
    all: () => [...queues],
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
