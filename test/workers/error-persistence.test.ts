import type { NewErrorRecord } from '../../src/db/api';
import type { PostgresDatabase } from '../../src/db/postgres-database';
import { createWorkerConnection } from '../../src/queues/connection';
import { errorJobId, toErrorJobData } from '../../src/queues/job-data';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { startErrorPersistenceWorker, type RunningWorker } from '../../src/worker-roles';
import type { TcpProxy } from '../helpers/redis-process';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { openProxiedDatabase } from '../helpers/proxied-database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { RecordingLogger, asLogger, codeSequence, countErrors, deletePrefix, eventually } from '../helpers/pipeline-fixture';
import { TEST_CONFIG } from '../helpers/config';
import { spawnWorkerProcess } from '../helpers/worker-process';

/** A distinct valid code per call. */
const nextCode = codeSequence('W');

const record = (overrides: Partial<NewErrorRecord> = {}): NewErrorRecord => ({
  errorCode: nextCode(),
  errorType: 'Error',
  message: 'persist me',
  ...overrides,
});

/** The job the tracker would queue for this error. */
const persistJob = (r: NewErrorRecord) => ({ name: 'persist', data: toErrorJobData(r), opts: { jobId: errorJobId(r.errorCode) } });

/** Counts the statements and their sizes, on the real database. */
class CountingDatabase {
  readonly batches: number[] = [];

  constructor(private readonly db: PostgresDatabase) {}

  recordErrors(records: readonly NewErrorRecord[]): Promise<number> {
    this.batches.push(records.length);
    return this.db.recordErrors(records);
  }
}

describe('error-persistence worker', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let db: PostgresDatabase;
  let prefix: string;
  let queues: ModdyQueues;
  const producer = createWorkerConnection(TEST_REDIS_URL);

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ db, proxy } = await openProxiedDatabase(database));
  });

  beforeEach(() => {
    prefix = testPrefix('persist');
    queues = createQueues({ connection: producer, prefix });
  });

  afterEach(async () => {
    await queues.close();
    await deletePrefix(prefix);
    await db.dataSource.query('DELETE FROM errors');
  });

  afterAll(async () => {
    producer.disconnect();
    await db.close();
    await proxy.cut();
    await database.drop();
  });

  const start = (overrides: Partial<Parameters<typeof startErrorPersistenceWorker>[0]> = {}): Promise<RunningWorker> =>
    startErrorPersistenceWorker({
      config: TEST_CONFIG,
      db,
      prefix,
      redis: TEST_REDIS_URL,
      logger: asLogger(new RecordingLogger()),
      ...overrides,
    });

  it('inserts many rows per statement, and a redelivered error never makes a second row', async () => {
    const counting = new CountingDatabase(db);
    const worker = await start({ db: counting, concurrency: 100 });
    try {
      const records = Array.from({ length: 1000 }, () => record());
      await queues.errorPersistence.addBulk(records.map(persistJob));
      await eventually(async () => (await countErrors(db)) === 1000);
      expect(counting.batches.length).toBeLessThan(200);
      expect(Math.max(...counting.batches)).toBeGreaterThan(10);

      // Redelivery of already stored errors (new job ids: the jobs were removed on completion).
      await queues.errorPersistence.addBulk(records.slice(0, 50).map(persistJob));
      await eventually(
        async () => (await queues.errorPersistence.getCompletedCount()) === 0 && (await queues.errorPersistence.count()) === 0,
      );
      expect(await countErrors(db)).toBe(1000);
    } finally {
      await worker.close();
    }
  });

  it('retries with backoff while PostgreSQL is down and stores the errors once it is back', async () => {
    const worker = await start();
    await proxy.cut();
    let restored = false;
    try {
      const records = Array.from({ length: 20 }, () => record());
      await queues.errorPersistence.addBulk(records.map(persistJob));
      // Two failed attempts each (1 s of backoff between them), none lost or given up.
      await eventually(async () => {
        const jobs = await Promise.all(records.map((r) => queues.errorPersistence.getJob(errorJobId(r.errorCode))));
        return jobs.every((job) => (job?.attemptsMade ?? 0) >= 2);
      }, 30_000);
      expect(await queues.errorPersistence.getFailedCount()).toBe(0);
      await proxy.restore();
      restored = true;
      await eventually(async () => (await countErrors(db)) === 20, 20_000);
    } finally {
      if (!restored) await proxy.restore();
      await worker.close();
    }
  }, 60_000);

  it('fails only the record the data API refuses, without retrying it', async () => {
    const worker = await start();
    try {
      const good = Array.from({ length: 5 }, () => record());
      const bad = record({ errorType: '' });
      await queues.errorPersistence.addBulk([...good, bad].map(persistJob));
      await eventually(async () => (await queues.errorPersistence.getFailedCount()) === 1 && (await countErrors(db)) === 5);
      const failed = await queues.errorPersistence.getJob(errorJobId(bad.errorCode));
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toContain('INVALID_ARGUMENT');
    } finally {
      await worker.close();
    }
  });

  it('drains on SIGTERM: the process finishes its active jobs, exits 0 and leaves nothing active', async () => {
    const total = 10_000;
    const records = Array.from({ length: total }, () => record());
    await queues.errorPersistence.addBulk(records.map(persistJob));
    const child = spawnWorkerProcess('error-persistence', { databaseUrl: database.url, prefix, env: { WORKER_CONCURRENCY: '50' } });
    await eventually(async () => (await countErrors(db)) > 0, 30_000);
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);

    const {
      active = -1,
      wait = -1,
      failed = -1,
      delayed = -1,
    } = await queues.errorPersistence.getJobCounts('active', 'wait', 'failed', 'delayed');
    expect({ active, failed, delayed }).toEqual({ active: 0, failed: 0, delayed: 0 });
    // Every job is either stored (completed) or still waiting for the next worker.
    expect((await countErrors(db)) + wait).toBe(total);
  }, 60_000);
});
