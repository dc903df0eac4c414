import type { PostgresDatabase } from '../../src/db/postgres-database';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { openProxiedDatabase } from '../helpers/proxied-database';
import { RedisProcess, TcpProxy } from '../helpers/redis-process';
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
