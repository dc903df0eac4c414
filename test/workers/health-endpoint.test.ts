import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../cache/redis-process';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { deletePrefix } from '../errors/pipeline-fixture';
import { eventually } from '../helpers/eventually';

const ROOT = path.resolve(__dirname, '../..');

/** A real worker process (its entry point, as pm2 and compose start it) and its /health and /metrics. */
describe('worker process health endpoint', () => {
  let database: TestDatabase;
  const prefix = testPrefix('health');

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await deletePrefix(prefix);
    await database.drop();
  });

  it('answers /health with PostgreSQL and Redis, /metrics with its queue, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', path.join(__dirname, 'ts-register.cjs'), path.join(ROOT, 'workers/error-persistence.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, CACHE_PREFIX: prefix, HEALTH_PORT: String(port), LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const health = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
        return response?.status === 200 ? ((await response.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> }) : null;
      }, 30_000);
      expect(health.ok).toBe(true);
      expect(Object.keys(health.checks).sort()).toEqual(['postgres', 'redis']);

      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/moddy_queue_jobs\{[^}]*queue="error-persistence"[^}]*state="waiting"[^}]*\} 0/);
      expect(metrics).toContain('moddy_process_resident_memory_bytes');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
