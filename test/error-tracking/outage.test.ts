import type { PostgresDatabase } from '../../src/db/postgres-database';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { openProxiedDatabase } from '../helpers/proxied-database';
import { RedisProcess, TcpProxy } from '../helpers/redis-process';
import { TEST_REDIS_URL } from '../helpers/services';
import { countErrors, deletePrefix, eventually, openTracker, type TrackerFixture } from '../helpers/pipeline-fixture';

const ERRORS = 1000;

/** PostgreSQL behind a TCP relay (cut = "down"), Redis a server of this test's own (killed = "down"). */
describe('no error is lost while Redis and PostgreSQL are down', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let db: PostgresDatabase;
  let redis: RedisProcess;
  let fixture: TrackerFixture;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ db, proxy } = await openProxiedDatabase(database));
    redis = await RedisProcess.start();
    fixture = await openTracker(db, { redis: redis.url, redisTimeoutMs: 300, databaseTimeoutMs: 1000 });
    await eventually(() => fixture.redis.status === 'ready');
  });

  afterAll(async () => {
    await fixture.close();
    await redis.kill();
    await db.close();
    await proxy.cut();
    await database.drop();
  });

  it('spools 1,000 errors, then replays them all (with their codes) when both come back', async () => {
    await redis.kill();
    await proxy.cut();
    await eventually(() => fixture.redis.status !== 'ready');

    const captured = new Map<string, string>();
    for (let i = 0; i < ERRORS; i += 1) {
      const message = `outage error ${i}`;
      captured.set(await fixture.tracker.capture(new Error(message), { command: 'outage' }), message);
    }
    expect(captured.size).toBe(ERRORS);
    await fixture.tracker.drain();
    expect(fixture.spool.pending()).toBe(ERRORS);

    await proxy.restore();
    await redis.start();
    await eventually(() => fixture.redis.status === 'ready');
    // Replays start on reconnection; this one joins or follows it.
    await fixture.tracker.replaySpool();
    await eventually(async () => (await countErrors(db)) === ERRORS, 20_000);

    const rows = (await db.dataSource.query('SELECT error_code AS code, message FROM errors')) as { code: string; message: string }[];
    expect(new Map(rows.map((row) => [row.code, row.message]))).toEqual(captured);
    expect(fixture.spool.pending()).toBe(0);
    // Each error's Discord log is queued once, under its code.
    expect(await fixture.queues.discordLog.count()).toBe(ERRORS);

    // A second replay (e.g. of a file left by a crash) changes nothing.
    await fixture.tracker.replaySpool();
    expect(await countErrors(db)).toBe(ERRORS);
  }, 120_000);

  it('writes straight to PostgreSQL while only Redis is down, and queues the Discord logs once it is back', async () => {
    await db.dataSource.query('DELETE FROM errors');
    await fixture.queues.discordLog.obliterate({ force: true });
    await redis.kill();
    await eventually(() => fixture.redis.status !== 'ready');

    const codes = [];
    for (let i = 0; i < 20; i += 1) codes.push(await fixture.tracker.capture(new Error(`redis down ${i}`)));
    await fixture.tracker.drain();
    // Already stored: a user can quote the code while Redis is still down.
    expect(await countErrors(db)).toBe(20);
    for (const code of codes) expect(await db.getError(code)).not.toBeNull();

    await redis.start();
    await eventually(() => fixture.redis.status === 'ready');
    await fixture.tracker.replaySpool();
    await eventually(async () => (await fixture.queues.discordLog.count()) === 20);
    expect(fixture.spool.pending()).toBe(0);
    await deletePrefix(fixture.prefix, redis.url);
  }, 60_000);
});

/** Redis behind a relay this time: cut, it keeps its data (the pool's reservations among them), as in a network partition. */
describe('codes reserved ahead keep their errors through a partition from Redis and PostgreSQL', () => {
  let database: TestDatabase;
  let db: PostgresDatabase;
  let databaseProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let fixture: TrackerFixture;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ db, proxy: databaseProxy } = await openProxiedDatabase(database));
    redisProxy = await TcpProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
    fixture = await openTracker(db, { redis: redisProxy.url, redisTimeoutMs: 300, databaseTimeoutMs: 1000, codePoolSize: 64 });
    await eventually(() => fixture.redis.status === 'ready');
  });

  afterAll(async () => {
    await fixture.close();
    await deletePrefix(fixture.prefix);
    await redisProxy.cut();
    await db.close();
    await databaseProxy.cut();
    await database.drop();
  });

  it('replays each spooled error under the code it was shown with (its own reservation is no clash)', async () => {
    // The pool is full: every capture below takes a code reserved (owned by "pool") before the cut.
    await eventually(async () => (await fixture.redis.keys(`${fixture.prefix}:errors:code:*`)).length === 64);
    await redisProxy.cut();
    await databaseProxy.cut();
    await eventually(() => fixture.redis.status !== 'ready');

    const captured = new Map<string, string>();
    for (let i = 0; i < 20; i += 1) {
      const message = `partition error ${i}`;
      captured.set(await fixture.tracker.capture(new Error(message), { command: 'partition' }), message);
    }
    await fixture.tracker.drain();
    expect(fixture.spool.pending()).toBe(20);

    await databaseProxy.restore();
    await redisProxy.restore();
    await eventually(() => fixture.redis.status === 'ready');
    await fixture.tracker.replaySpool();
    await eventually(async () => fixture.spool.pending() === 0 && (await countErrors(db)) === 20, 20_000);

    const rows = (await db.dataSource.query('SELECT error_code AS code, message FROM errors')) as { code: string; message: string }[];
    expect(new Map(rows.map((row) => [row.code, row.message]))).toEqual(captured);
    expect(fixture.logger.messages('error')).toEqual([]);
  }, 60_000);
});
