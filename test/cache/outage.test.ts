import Redis from 'ioredis';
import { CacheFixture, DEV, freshId, invalidationDelay, waitFor, type CacheInstance } from '../helpers/cache-fixture';
import { freePort, RedisProcess, TcpProxy } from '../helpers/redis-process';

let f: CacheFixture;
let server: RedisProcess | undefined;
let proxy: TcpProxy | undefined;

beforeAll(async () => {
  f = await CacheFixture.create();
});
afterAll(async () => {
  await f.cleanup();
  await proxy?.cut();
  await server?.kill();
});

/** Runs `call` and returns its result with how long it took. */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await call();
  return { value, ms: performance.now() - start };
}

const redisUp =
  (...instances: CacheInstance[]) =>
  () =>
    instances.every((instance) => instance.db.redisUp);
const redisDown =
  (...instances: CacheInstance[]) =>
  () =>
    instances.every((instance) => !instance.db.redisUp);

describe('Redis on a dead port', () => {
  it('reads and writes go to PostgreSQL, no call waits on Redis, one warning for the whole outage', async () => {
    const dead = await f.open({ redis: `redis://127.0.0.1:${await freePort()}`, startupTimeoutMs: 200 });
    expect(dead.db.redisUp).toBe(false);
    const id = freshId();
    for (let i = 0; i < 20; i += 1) {
      await dead.db.setAttribute('user', id, 'BETA', i % 2 === 0, DEV, 'toggle');
      expect(await dead.db.hasAttribute('user', id, 'BETA')).toBe(i % 2 === 0);
    }
    expect(await dead.db.getInteractionAttributes(id, freshId())).toEqual({ user: {}, guild: {} });
    // No call waits for a connect timeout or retries: none is even sent to Redis (not a wall-clock bound, which a loaded machine breaks).
    expect(dead.commands).toEqual([]);
    expect(dead.logger.warnings).toHaveLength(1);
    const stats = dead.db.getCacheStats();
    expect(stats.local.hits).toBe(0); // the local tier is bypassed: invalidations cannot arrive
    expect(stats.redis.hits).toBe(0);
  });
});

describe('a real Redis stopped mid-test', () => {
  let a: CacheInstance;
  let b: CacheInstance;

  beforeAll(async () => {
    server = await RedisProcess.start();
    a = await f.open({ redis: server.url, cache: { probeIntervalMs: 50 } });
    b = await f.open({ redis: server.url, cache: { probeIntervalMs: 50 } });
  });

  it('keeps answering from PostgreSQL without serving local entries, then recovers with a cleared local tier', async () => {
    const id = freshId();
    expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(false);
    expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(false); // now in b's local tier

    await server!.kill();
    await waitFor(redisDown(a, b), 2000);
    await a.db.setAttribute('user', id, 'BETA', true, DEV, 'during outage'); // the invalidation is lost
    for (let i = 0; i < 10; i += 1) expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(true);
    expect(a.logger.warnings).toHaveLength(1);
    expect(b.logger.warnings).toHaveLength(1);

    await server!.start();
    await waitFor(redisUp(a, b), 5000);
    expect(a.logger.infos).toContain('Redis cache tier is back');
    // The restarted Redis is a new epoch: one of them flushed the namespace before either used it.
    expect([...a.logger.infos, ...b.logger.infos].filter((line) => line.includes('new Redis epoch')).length).toBeGreaterThanOrEqual(1);
    expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(true);

    // Invalidations flow again.
    expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(true);
    const key = a.db.keys.attributes('user', id);
    expect(await invalidationDelay(b, key, () => a.db.setAttribute('user', id, 'BETA', false, DEV, 'after outage'))).toBeLessThan(50);
    expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(false);
  });

  it('a hung Redis costs a call at most its command timeout, then is skipped until it answers again', async () => {
    const id = freshId();
    await a.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'setup');
    server!.pause();
    try {
      const first = await timed(() => b.db.getAttribute('user', id, 'LANG'));
      expect(first.value).toBe('FR');
      expect(b.db.redisUp).toBe(false);
      const next = await timed(() => b.db.getAttribute('user', freshId(), 'LANG'));
      expect(next.value).toBeNull();
      // Timeout 100 ms + one PostgreSQL read; the bound is generous for a shared 2-core machine.
      expect(first.ms).toBeLessThan(400);
      expect(next.ms).toBeLessThan(100);
    } finally {
      server!.resume();
    }
    await waitFor(redisUp(a, b), 5000);
  });
});

describe('a process cut off from Redis while others still use it', () => {
  it('replays its lost invalidations before using Redis again', async () => {
    const target = server ?? (server = await RedisProcess.start());
    proxy = await TcpProxy.start(target.port);
    const cut = await f.open({ redis: proxy.url, cache: { probeIntervalMs: 50 } });
    const other = await f.open({ redis: target.url, cache: { localMaxEntries: 0 } });
    const id = freshId();
    expect(await other.db.getAttributes('user', id)).toEqual({}); // cached in Redis

    await proxy.cut();
    await waitFor(redisDown(cut), 2000);
    await cut.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'while partitioned');
    expect(await cut.db.getAttributes('user', id)).toEqual({ LANG: 'EN' });

    await proxy.restore();
    await waitFor(redisUp(cut), 5000);
    expect(await other.db.getAttributes('user', id)).toEqual({ LANG: 'EN' });
    const admin = new Redis(target.url);
    try {
      // Never the old `{}`: gone, or refilled with the new value.
      expect([null, { LANG: 'EN' }]).toContainEqual(JSON.parse((await admin.get(`${f.prefix}:v2:attrs:user:${id}`)) ?? 'null'));
    } finally {
      admin.disconnect();
    }
  });
});
