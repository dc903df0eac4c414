import { CacheFixture, DEV, freshId, waitFor, type CacheInstance } from '../helpers/cache-fixture';
import { RedisProcess } from '../helpers/redis-process';

let f: CacheFixture;
let server: RedisProcess | undefined;

beforeAll(async () => {
  f = await CacheFixture.create();
});
afterAll(async () => {
  await f.cleanup();
  await server?.kill();
});

/**
 * Blocks the event loop for `ms` just after the instance's next MGET is written to the socket (in the
 * next tick, once the caller has armed the command's deadline): Redis answers meanwhile, but the
 * reply stays unread until the loop is free, after the command's timer has fired (timers run before
 * the poll that reads sockets). What a saturated cluster does to itself.
 */
function blockAfterNextRead(instance: CacheInstance, ms: number): void {
  const original = instance.redis.sendCommand;
  const send = original.bind(instance.redis) as (command: Parameters<typeof original>[0], ...rest: unknown[]) => unknown;
  instance.redis.sendCommand = ((command: Parameters<typeof original>[0], ...rest: unknown[]) => {
    const sent = send(command, ...rest);
    if (command.name === 'mget') {
      instance.redis.sendCommand = original;
      process.nextTick(() => {
        const until = performance.now() + ms;
        while (performance.now() < until) {
          // Busy: this is the load being simulated.
        }
      });
    }
    return sent;
  }) as typeof original;
}

describe('an event loop blocked past the command timeout, with Redis healthy', () => {
  it('reads the reply that arrived during the stall: served by Redis, no timeout, no PostgreSQL, nothing logged', async () => {
    // No local tier: the read below goes to Redis.
    const instance = await f.open({ cache: { localTtlMs: 0 } });
    // The first start's epoch check scans the shared Redis, which can outlast the startup wait on a loaded machine.
    await waitFor(() => instance.db.redisUp, 30_000);
    const id = freshId();
    await instance.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'setup');
    expect(await instance.db.getAttribute('user', id, 'LANG')).toBe('EN'); // loaded and filled
    const before = instance.db.getCacheStats();
    const warnings = [...instance.logger.warnings];

    blockAfterNextRead(instance, 300);
    expect(await instance.db.getAttribute('user', id, 'LANG')).toBe('EN');

    const after = instance.db.getCacheStats();
    expect(after.redis.errors).toBe(before.redis.errors);
    expect(after.redis.hits).toBe(before.redis.hits + 1);
    expect(after.database.loads).toBe(before.database.loads);
    expect(instance.db.redisUp).toBe(true);
    expect(instance.logger.warnings).toEqual(warnings);
  });
});

describe('a command timeout caused by this process: its loop blocked, Redis answering only after it', () => {
  it('does not open the breaker: Redis stays in use, the local tier is kept, no outage is logged', async () => {
    server ??= await RedisProcess.start();
    const instance = await f.open({ redis: server.url, cache: { redisTimeoutMs: 200 } });
    await waitFor(() => instance.db.redisUp, 30_000);
    const kept = freshId();
    await instance.db.setAttribute('user', kept, 'LANG', 'FR', DEV, 'setup');
    expect(await instance.db.getAttribute('user', kept, 'LANG')).toBe('FR'); // now in the local tier
    const id = freshId();
    await instance.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'setup');
    const before = instance.db.getCacheStats();
    const warnings = [...instance.logger.warnings];

    // Redis answers 50 ms after the loop is free: past the read's deadline, well within the confirming PING's.
    server.pause();
    const resumed = new Promise<void>((resolve) =>
      setTimeout(() => {
        server?.resume();
        resolve();
      }, 650),
    );
    blockAfterNextRead(instance, 600);
    expect(await instance.db.getAttribute('user', id, 'LANG')).toBe('EN');
    await resumed;

    const after = instance.db.getCacheStats();
    expect(after.redis.errors).toBe(before.redis.errors + 1); // the MGET did time out
    expect(after.database.loads).toBe(before.database.loads + 1); // and PostgreSQL answered instead
    expect(instance.db.redisUp).toBe(true);
    expect(await instance.db.getAttribute('user', kept, 'LANG')).toBe('FR');
    expect(instance.db.getCacheStats().local.hits).toBe(after.local.hits + 1);
    expect(instance.logger.warnings).toEqual(warnings); // no outage declared
  });

  it('a hung Redis is still detected: the confirming PING, on an idle loop, opens the breaker', async () => {
    server ??= await RedisProcess.start();
    const instance = await f.open({ redis: server.url, cache: { probeIntervalMs: 50 } });
    await waitFor(() => instance.db.redisUp, 30_000);
    const id = freshId();
    await instance.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'setup');
    server.pause();
    try {
      blockAfterNextRead(instance, 300);
      expect(await instance.db.getAttribute('user', id, 'LANG')).toBe('EN');
      expect(instance.db.redisUp).toBe(true); // excused: the loop was busy
      // The PING times out on an idle loop: one command timeout, plus scheduling on a shared machine.
      await waitFor(() => !instance.db.redisUp, 2000);
      expect(instance.logger.warnings).toHaveLength(1);
    } finally {
      server.resume();
    }
    await waitFor(() => instance.db.redisUp, 5000);
  });
});
