import type { Queue } from 'bullmq';

/** Jobs per state of each queue, by queue name (what `moddy_queue_jobs` exports). */
export async function jobCounts(queues: readonly Queue[]): Promise<Record<string, Record<string, number>>> {
  return Object.fromEntries(await Promise.all(queues.map(async (queue) => [queue.name, await queue.getJobCounts()] as const)));
}
