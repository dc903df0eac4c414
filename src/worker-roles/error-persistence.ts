import type { ModdyDatabase } from '../db/api';
import { createErrorPersistenceWorker } from '../queues/error-persistence-worker';
import type { MicroBatchOptions } from '../queues/micro-batch';
import { workerSettings, type RunningWorker, type StartWorkerOptions } from './runtime';

export interface StartErrorPersistenceOptions extends StartWorkerOptions {
  db: Pick<ModdyDatabase, 'recordErrors'>;
  batch?: Partial<MicroBatchOptions>;
}

/** The error-persistence worker: batched, idempotent inserts into `errors`. */
export async function startErrorPersistenceWorker(options: StartErrorPersistenceOptions): Promise<RunningWorker> {
  const settings = workerSettings(options, 'error-persistence');
  const handle = createErrorPersistenceWorker({
    ...settings,
    db: options.db,
    concurrency: options.concurrency ?? settings.config.WORKER_CONCURRENCY,
    batch: options.batch,
  });
  await handle.worker.waitUntilReady();
  return {
    worker: handle.worker,
    connection: settings.connection,
    async close() {
      await handle.close();
      await settings.connection.quit();
    },
  };
}
