import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { CacheFixture, DEV, freshId, waitFor, type CacheInstance } from '../helpers/cache-fixture';
import { RedisProcess, TcpProxy } from '../helpers/redis-process';
import { TEST_REDIS_URL } from '../helpers/services';

/*
 * The staleness bound of docs/cache.md under the two faults that used to break it: a writer cut
 * off from Redis (its invalidation stayed in its own memory), and a Redis restarted from a
 * snapshot older than the last writes (old entries came back). A revoked DEVELOPER is the stake.
 */

let f: CacheFixture;
let proxy: TcpProxy | undefined;
let server: RedisProcess | undefined;
const snapshotDir = mkdtempSync(path.join(tmpdir(), 'moddy-redis-snapshot-'));

beforeAll(async () => {
  f = await CacheFixture.create();
});
afterAll(async () => {
  await f.cleanup();
  await proxy?.cut();
  await server?.kill();
  rmSync(snapshotDir, { recursive: true, force: true });
});

const up =
  (...instances: CacheInstance[]) =>
  () =>
    instances.every((instance) => instance.db.redisUp);
const POLL_MS = 100;

describe('a writer partitioned from Redis', () => {
  it('revokes an attribute for every other process within the log poll interval, not the TTL', async () => {
    const redisPort = Number(new URL(TEST_REDIS_URL).port || 6379);
    proxy = await TcpProxy.start(redisPort);
    const writer = await f.open({ redis: proxy.url, cache: { probeIntervalMs: 50, invalidationLogPollMs: POLL_MS } });
    const reader = await f.open({ cache: { invalidationLogPollMs: POLL_MS } });
    const redisOnly = await f.open({ cache: { invalidationLogPollMs: POLL_MS, localMaxEntries: 0 } });
    const id = freshId();
    await writer.db.setAttribute('user', id, 'DEVELOPER', true, DEV, 'hired');
    expect(await reader.db.hasAttribute('user', id, 'DEVELOPER')).toBe(true); // in Redis and in reader's local tier
    expect(await redisOnly.db.hasAttribute('user', id, 'DEVELOPER')).toBe(true);

    await proxy.cut();
    await waitFor(() => !writer.db.redisUp, 2000);
    await writer.db.setAttribute('user', id, 'DEVELOPER', false, DEV, 'revoked');
    expect(await writer.db.hasAttribute('user', id, 'DEVELOPER')).toBe(false);

    // The attributes TTL is 300 s; the bound under a partition is the poll interval plus a round trip.
    const readerMs = await waitFor(async () => !(await reader.db.hasAttribute('user', id, 'DEVELOPER')), 3000);
    const redisMs = await waitFor(async () => !(await redisOnly.db.hasAttribute('user', id, 'DEVELOPER')), 3000);
    expect(Math.max(readerMs, redisMs)).toBeLessThan(10 * POLL_MS + 1000);

    // Once back, the writer replays too, and everyone agrees.
    await proxy.restore();
    await waitFor(up(writer), 5000);
    for (const instance of [writer, reader, redisOnly]) expect(await instance.db.hasAttribute('user', id, 'DEVELOPER')).toBe(false);
    const [logged] = (await writer.inner.dataSource.query('SELECT keys FROM cache_invalidations ORDER BY id DESC LIMIT 1')) as {
      keys: string[];
    }[];
    expect(logged?.keys).toEqual(expect.arrayContaining([`${f.prefix}:v2:attrs:user:${id}`]));
  });
});

describe('a Redis restarted from an older snapshot', () => {
  it('flushes the entries it brought back before any process uses it', async () => {
    server = await RedisProcess.start(['--dir', snapshotDir, '--dbfilename', 'dump.rdb']);
    const a = await f.open({ redis: server.url, cache: { probeIntervalMs: 50 } });
    const b = await f.open({ redis: server.url, cache: { probeIntervalMs: 50 } });
    const id = freshId();
    const key = `${f.prefix}:v2:attrs:user:${id}`;
    await a.db.setAttribute('user', id, 'DEVELOPER', true, DEV, 'hired');
    expect(await b.db.hasAttribute('user', id, 'DEVELOPER')).toBe(true);
    const admin = new Redis(server.url);
    try {
      expect(JSON.parse((await admin.get(key)) ?? 'null')).toEqual({ DEVELOPER: true });
      await admin.save(); // the snapshot holds DEVELOPER: true
    } finally {
      admin.disconnect();
    }

    await a.db.setAttribute('user', id, 'DEVELOPER', false, DEV, 'revoked');
    await waitFor(async () => !(await b.db.hasAttribute('user', id, 'DEVELOPER')), 1000); // the invalidation message reached b

    await server.kill();
    await waitFor(() => !a.db.redisUp && !b.db.redisUp, 2000);
    await server.start(); // loads the snapshot: the revoked entry is back in Redis
    await waitFor(up(a, b), 5000);

    for (let i = 0; i < 5; i += 1) {
      expect(await b.db.hasAttribute('user', id, 'DEVELOPER')).toBe(false);
      expect(await a.db.hasAttribute('user', id, 'DEVELOPER')).toBe(false);
    }
    const warnings = [...a.logger.warnings, ...b.logger.warnings].filter((line) => line.includes('Redis restarted'));
    expect(warnings).toHaveLength(1);
  });
});
