import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ValidationError } from '../core/errors';
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
  /** Set when this record alone is unstorable. */
  invalid?: ValidationError;
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
      if (item.invalid) throw new UnrecoverableError(`${item.invalid.code}: ${item.invalid.message}`);
    },
    { ...bullWorkerOptions({ ...options, concurrency }) },
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'error-persistence: worker error'));
  worker.on('failed', (job, error) => options.logger.warn({ err: error, code: job?.id, attempt: job?.attemptsMade }, 'error-persistence: insert failed'));
  return {
    worker,
    async close() {
      await worker.close();
      await batcher.drain();
    },
  };
}

/** One statement for the batch; when a record is refused, the others are inserted one by one so only it fails. */
async function insert(db: Pick<ModdyDatabase, 'recordErrors'>, items: Item[]): Promise<void> {
  try {
    await db.recordErrors(items.map((item) => item.record));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const item of items) {
      try {
        await db.recordErrors([item.record]);
      } catch (itemError) {
        if (!(itemError instanceof ValidationError)) throw itemError;
        item.invalid = itemError;
      }
    }
  }
}
