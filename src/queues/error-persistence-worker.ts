import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ValidationError } from '../core/moddy-error';
import type { ModdyDatabase, NewErrorRecord } from '../db/api';
import { fromErrorJobData, type ErrorJobData } from './job-data';
import { MicroBatcher, type MicroBatchOptions } from './micro-batch';
import { QUEUE_NAMES } from './names';
import { bullWorkerOptions, type BaseWorkerOptions } from './worker-options';

export interface ErrorPersistenceWorkerOptions extends BaseWorkerOptions {
  db: Pick<ModdyDatabase, 'recordErrors'>;
  /** Rows per insert (default: the concurrency) and longest wait for a batch to fill (default 10 ms). */
  batch?: Partial<MicroBatchOptions>;
}

export interface ErrorPersistenceWorker {
  worker: Worker<ErrorJobData>;
  /** Finishes the active jobs (their batches are flushed), then closes the worker. */
  close(): Promise<void>;
}

interface Item {
  record: NewErrorRecord;
  /** Set when this record failed on its own (the batch was retried row by row). */
  failure?: unknown;
}

/**
 * Inserts errors in multi-row batches: each job waits for its batch's insert, so a job completes
 * only once its row is stored. Redelivery is harmless (the insert skips a code already stored);
 * while PostgreSQL is down the batch fails and its jobs are retried with backoff.
 */
export function createErrorPersistenceWorker(options: ErrorPersistenceWorkerOptions): ErrorPersistenceWorker {
  const concurrency = options.concurrency ?? 50;
  const batcher = new MicroBatcher<Item>((items) => insert(options.db, items), {
    maxSize: options.batch?.maxSize ?? concurrency,
    maxWaitMs: options.batch?.maxWaitMs ?? 10,
  });
  const worker = new Worker<ErrorJobData>(
    QUEUE_NAMES.errorPersistence,
    async (job: Job<ErrorJobData>) => {
      const item: Item = { record: fromErrorJobData(job.data) };
      await batcher.add(item);
      // A record the data API refuses would fail the same way on every retry.
      if (item.failure instanceof ValidationError) throw new UnrecoverableError(`${item.failure.code}: ${item.failure.message}`);
      if (item.failure !== undefined) throw item.failure instanceof Error ? item.failure : new Error(String(item.failure));
    },
    { ...bullWorkerOptions({ ...options, concurrency }) },
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'error-persistence: worker error'));
  worker.on('failed', (job, error) =>
    options.logger.warn({ err: error, code: job?.id, attempt: job?.attemptsMade }, 'error-persistence: insert failed'),
  );
  return {
    worker,
    async close() {
      await worker.close();
      await batcher.drain();
    },
  };
}

/**
 * One statement for the batch. When it fails, for whatever reason, each row is tried alone (in
 * parallel, bounded by the pool), so a poison row fails only its own job: a refused one without
 * retries, any other with its job's backoff. While PostgreSQL is down every row fails and every
 * job retries.
 */
async function insert(db: Pick<ModdyDatabase, 'recordErrors'>, items: Item[]): Promise<void> {
  try {
    await db.recordErrors(items.map((item) => item.record));
  } catch (error) {
    if (items.length === 1 && items[0]) {
      items[0].failure = error;
      return;
    }
    const results = await Promise.allSettled(items.map((item) => db.recordErrors([item.record])));
    results.forEach((result, i) => {
      const item = items[i];
      if (item && result.status === 'rejected') item.failure = result.reason;
    });
  }
}
