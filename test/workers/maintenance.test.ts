import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../src/queues/names';
import type { MaintenanceStep } from '../../src/queues/maintenance';
import { startMaintenanceWorker, type RunningWorker } from '../../src/worker-roles';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { RecordingLogger, asLogger, countErrors, deletePrefix, eventually } from '../helpers/pipeline-fixture';
import { TEST_CONFIG } from '../helpers/config';

describe('maintenance worker', () => {
  let pg: TestPostgresDatabase;
  let prefix: string;
  const redis = new Redis(TEST_REDIS_URL);
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    pg = await createTestPostgresDatabase();
  });

  beforeEach(() => {
    prefix = testPrefix('maint');
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close();
    await deletePrefix(prefix);
  });

  afterAll(async () => {
    redis.disconnect();
    await pg.cleanup();
  });

  const start = (options: Partial<Parameters<typeof startMaintenanceWorker>[0]>) =>
    startMaintenanceWorker({
      config: TEST_CONFIG,
      db: pg.db,
      prefix,
      redis: TEST_REDIS_URL,
      logger: asLogger(new RecordingLogger()),
      ...options,
    }).then((worker) => {
      workers.push(worker);
      return worker;
    });

  it('runs each tick exactly once, with three workers registering the same schedule', async () => {
    const runs: number[] = [];
    const step: MaintenanceStep = { name: 'tick', run: async () => runs.push(Date.now()) };
    const everyMs = 400;
    await Promise.all([1, 2, 3].map(() => start({ steps: () => [step], everyMs })));
    const queue = new Queue(QUEUE_NAMES.maintenance, { connection: redis, prefix });
    try {
      const started = Date.now();
      await eventually(() => runs.length >= 6, 20_000);
      const elapsed = Date.now() - started;
      expect(await queue.getJobSchedulersCount()).toBe(1);
      // One run per tick: never two runs of the same tick, never more runs than ticks.
      const gaps = runs.slice(1).map((at, i) => at - (runs[i] ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThan(everyMs / 2);
      expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsed / everyMs) + 1);
      const completed = await queue.getCompleted(0, 100);
      expect(new Set(completed.map((job) => job.id)).size).toBe(completed.length);
      expect(completed.length).toBeGreaterThanOrEqual(runs.length - 3);
    } finally {
      await queue.close();
    }
  }, 30_000);

  it('purges old errors, stale guilds_cache rows and cache keys without a TTL', async () => {
    await pg.db.recordErrors([
      { errorCode: 'AAAA0001', errorType: 'Error', message: 'old', timestamp: new Date(Date.now() - 40 * 86_400_000) },
      { errorCode: 'AAAA0002', errorType: 'Error', message: 'recent' },
    ]);
    await pg.db.upsertCachedGuild({ guildId: '300000000000000001', name: 'old guild', updateSource: 'bot_join' });
    await pg.db.upsertCachedGuild({ guildId: '300000000000000002', name: 'fresh guild', updateSource: 'bot_join' });
    await pg.db.dataSource.query(`UPDATE guilds_cache SET last_updated = now() - interval '40 days' WHERE guild_id = 300000000000000001`);
    const cachePrefix = `${prefix}-cache`;
    await redis.set(`${cachePrefix}:v2:attrs:user:1`, 'no ttl');
    await redis.set(`${cachePrefix}:v2:attrs:user:2`, 'with ttl', 'EX', 600);

    await start({ everyMs: 300, cachePrefix });
    await eventually(async () => (await countErrors(pg.db)) === 1 && (await redis.exists(`${cachePrefix}:v2:attrs:user:1`)) === 0, 20_000);
    await eventually(async () => (await pg.db.getCachedGuild('300000000000000001', 365)) === null);
    expect(await pg.db.getError('AAAA0002')).not.toBeNull();
    expect(await pg.db.getCachedGuild('300000000000000002', 365)).not.toBeNull();
    expect(await redis.exists(`${cachePrefix}:v2:attrs:user:2`)).toBe(1);
    await deletePrefix(cachePrefix);
  }, 30_000);
});
