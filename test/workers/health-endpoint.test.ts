import { freePort } from '../helpers/redis-process';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { deletePrefix } from '../helpers/pipeline-fixture';
import { eventually } from '../helpers/eventually';
import { parseExposition } from '../helpers/prometheus';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { createWorkerConnection } from '../../src/queues/connection';
import { toErrorJobData } from '../../src/queues/job-data';
import { QUEUE_NAMES } from '../../src/queues/names';
import { createQueues } from '../../src/queues/queues';

/** A real worker process (its entry point, as pm2 and compose start it) and its /health and /metrics. */
describe('worker process health endpoint', () => {
  let database: TestDatabase;
  const prefix = testPrefix('health');
  const producer = createWorkerConnection(TEST_REDIS_URL);

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await deletePrefix(prefix);
    producer.disconnect();
    await database.drop();
  });

  it('answers /health (liveness), /ready with PostgreSQL and Redis, /metrics with its queue and jobs, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawnWorkerProcess('error-persistence', { databaseUrl: database.url, prefix, healthPort: port });
    const queues = createQueues({ connection: producer, prefix });
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200, 30_000);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
      const readiness = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
      expect(readiness.ok).toBe(true);
      expect(Object.keys(readiness.checks).sort()).toEqual(['postgres', 'redis']);

      await queues.errorPersistence.add('persist', toErrorJobData({ errorCode: 'MTRC0001', errorType: 'Error', message: 'counted' }), {
        jobId: 'err-MTRC0001',
      });

      const scrape = async () => parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      const metrics = await eventually(async () => {
        const exposition = await scrape();
        return exposition.find('moddy_jobs_completed_total', { queue: QUEUE_NAMES.errorPersistence })[0]?.value === 1 ? exposition : null;
      });
      expect(metrics.types.get('moddy_queue_jobs')).toBe('gauge');
      expect(metrics.types.get('moddy_jobs_completed_total')).toBe('counter');
      expect(metrics.types.get('moddy_jobs_failed_total')).toBe('counter');
      expect(metrics.types.get('moddy_job_duration_seconds')).toBe('histogram');
      expect(metrics.types.get('moddy_process_resident_memory_bytes')).toBe('gauge');
      expect(
        metrics.find('moddy_queue_jobs', { role: 'error-persistence', queue: QUEUE_NAMES.errorPersistence, state: 'waiting' })[0]?.value,
      ).toBe(0);
      const durations = metrics.find('moddy_job_duration_seconds', { queue: QUEUE_NAMES.errorPersistence, outcome: 'completed' });
      expect(durations.find((sample) => sample.name === 'moddy_job_duration_seconds_count')?.value).toBe(1);
    } finally {
      child.kill('SIGTERM');
      await queues.close();
    }
    expect(await child.exited).toBe(0);
  }, 60_000);
});
