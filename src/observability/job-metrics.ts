import type { Job, Worker } from 'bullmq';
import type { JobMetrics } from './metrics';

/** Counts the jobs a worker completes and fails, and times each attempt, under the worker's queue name. */
export function observeJobs(worker: Worker, metrics: JobMetrics): void {
  const queue = worker.name;
  const seconds = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
  worker.on('completed', (job) => {
    metrics.completed.inc({ queue });
    metrics.duration.observe({ queue, outcome: 'completed' }, seconds(job));
  });
  worker.on('failed', (job) => {
    if (!job) return;
    // BullMQ sets `finishedOn` only when the job leaves for the failed set (no retry left, or unrecoverable).
    metrics.failed.inc({ queue, final: String(Boolean(job.finishedOn)) });
    metrics.duration.observe({ queue, outcome: 'failed' }, seconds(job));
  });
}
