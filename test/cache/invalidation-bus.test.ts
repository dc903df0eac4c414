import { createCacheRedisClients } from '../../src/cache';
import { InvalidationBus } from '../../src/cache/invalidation-bus';
import { CacheFixture, DEV, freshId, waitFor } from '../helpers/cache-fixture';
import { TcpProxy } from '../helpers/redis-process';
import { TEST_REDIS_URL } from '../helpers/services';

/*
 * The local tier's staleness bound (docs/cache.md): a process serves local entries only while its
 * invalidation stream was confirmed complete within CACHE_LOCAL_TTL_MS (a PING answered on the
 * subscriber connection, in order with the messages). Entries themselves live CACHE_LOCAL_MAX_AGE_MS.
 */

const LOCAL_TTL_MS = 300;
const LOCAL_MAX_AGE_MS = 60_000;
const cache = { localTtlMs: LOCAL_TTL_MS, localMaxAgeMs: LOCAL_MAX_AGE_MS };
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let f: CacheFixture;
let proxy: TcpProxy;

beforeAll(async () => {
  f = await CacheFixture.create();
  proxy = await TcpProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
});
afterAll(async () => {
  proxy.releaseReplies();
  await proxy.cut();
  await f.cleanup();
});

it('keeps an entry local past CACHE_LOCAL_TTL_MS while the stream is confirmed: Redis is not read again', async () => {
  const writer = await f.open();
  const id = freshId();
  // Written before the reader starts: its invalidation cannot mark the reader's first load stale.
  await writer.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'setup');
  const reader = await f.open({ cache });
  expect(await reader.db.getAttribute('user', id, 'LANG')).toBe('FR');
  const before = reader.db.getCacheStats();
  const mgets = reader.commands.filter((name) => name === 'mget').length;

  await wait(3 * LOCAL_TTL_MS);
  expect(await reader.db.getAttribute('user', id, 'LANG')).toBe('FR');
  const after = reader.db.getCacheStats();
  expect(after.local.hits - before.local.hits).toBe(1);
  expect(after.local.misses).toBe(before.local.misses);
  expect(reader.commands.filter((name) => name === 'mget').length).toBe(mgets);

  // And an invalidation still drops it at once.
  await writer.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'changed');
  await waitFor(async () => (await reader.db.getAttribute('user', id, 'LANG')) === 'EN', 2000);
});

it('a stream that goes silent, its connection open, pauses the local tier within CACHE_LOCAL_TTL_MS: no revoked value past it', async () => {
  const writer = await f.open();
  const id = freshId();
  await writer.db.setAttribute('user', id, 'DEVELOPER', true, DEV, 'hired');
  // The reader's invalidations (and the PINGs that confirm them) come through the relay; its commands go direct.
  const reader = await f.open({ subscriberRedis: proxy.url, cache });
  expect(await reader.db.hasAttribute('user', id, 'DEVELOPER')).toBe(true); // now in the reader's local tier
  expect(await reader.db.hasAttribute('user', id, 'DEVELOPER')).toBe(true);
  expect(reader.db.getCacheStats().local.hits).toBeGreaterThan(0);

  proxy.holdReplies();
  await writer.db.setAttribute('user', id, 'DEVELOPER', false, DEV, 'revoked');
  const writtenAt = performance.now();
  const stale: number[] = [];
  while (performance.now() - writtenAt < LOCAL_TTL_MS + 400) {
    const startedMs = performance.now() - writtenAt;
    if (await reader.db.hasAttribute('user', id, 'DEVELOPER')) stale.push(startedMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(stale.filter((ms) => ms >= LOCAL_TTL_MS)).toEqual([]);
  // Paused, not broken (well within the 5 bounds after which the subscription is reconnected):
  // Redis stays in use (the revoked value is gone from it), nothing was logged.
  expect(reader.db.redisUp).toBe(true);
  expect(reader.logger.warnings).toEqual([]);

  // Once the held invalidation and PINGs arrive, the local tier serves again.
  proxy.releaseReplies();
  await waitFor(async () => {
    const hits = reader.db.getCacheStats().local.hits;
    return !(await reader.db.hasAttribute('user', id, 'DEVELOPER')) && reader.db.getCacheStats().local.hits > hits;
  }, 2000);
});

it('a subscription silent for 5 bounds is reconnected: the breaker opens, then Redis and the local tier are used again', async () => {
  const id = freshId();
  const reader = await f.open({ subscriberRedis: proxy.url, cache: { ...cache, probeIntervalMs: 50 } });
  expect(await reader.db.hasAttribute('user', id, 'BETA')).toBe(false);
  proxy.holdReplies(); // this connection's; the one that replaces it goes through untouched
  await waitFor(() => !reader.db.redisUp, 5 * LOCAL_TTL_MS + 3000);
  expect(reader.logger.warnings).toEqual(['Redis cache tier unreachable: reading and writing PostgreSQL directly until it is back']);
  await waitFor(() => reader.db.redisUp, 5000);
  await waitFor(async () => {
    const hits = reader.db.getCacheStats().local.hits;
    return !(await reader.db.hasAttribute('user', id, 'BETA')) && reader.db.getCacheStats().local.hits > hits;
  }, 2000);
  proxy.releaseReplies();
});

it('a lost subscription confirms nothing until it is back, and its owner is told it was resubscribed before anything is confirmed', async () => {
  const relay = await TcpProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
  const { redis, subscriber } = createCacheRedisClients(relay.url, 100);
  redis.disconnect();
  const events: string[] = [];
  const bus = new InvalidationBus(subscriber, `${f.prefix}:bus-test`, {
    onMessage: () => undefined,
    onLost: () => events.push('lost'),
    onResubscribed: () => events.push(`resubscribed (confirmed: ${bus.confirmedWithin(60_000, Date.now())})`),
  });
  try {
    await waitFor(() => bus.listening, 5000);
    await bus.confirm();
    expect(bus.confirmedWithin(1000, Date.now())).toBe(true);

    await relay.cut();
    await waitFor(() => !bus.listening, 5000);
    // Whatever was published from the loss on was not heard: no earlier confirmation stands.
    expect(bus.confirmedWithin(60_000, Date.now())).toBe(false);
    await expect(bus.confirm()).rejects.toThrow('not subscribed');

    await relay.restore();
    await waitFor(() => bus.listening, 5000);
    await bus.confirm();
    expect(bus.confirmedWithin(1000, Date.now())).toBe(true);
    expect(events.filter((event) => event !== 'lost')).toEqual(['resubscribed (confirmed: false)']);
    expect(events[0]).toBe('lost');
  } finally {
    subscriber.disconnect();
    await relay.cut();
  }
});

it('an event loop stalled past 5 bounds is no stuck subscription: no reconnect, no breaker, the local tier serves again', async () => {
  const id = freshId();
  const reader = await f.open({ cache });
  expect(await reader.db.hasAttribute('user', id, 'BETA')).toBe(false);
  await wait(LOCAL_TTL_MS); // a few confirmations: some PING may be in flight when the stall begins
  const stallEnds = performance.now() + 6 * LOCAL_TTL_MS;
  while (performance.now() < stallEnds) {
    // A synchronous stall longer than the 5 bounds after which a silent subscription is reconnected.
  }
  await wait(3 * LOCAL_TTL_MS);
  expect(reader.db.redisUp).toBe(true);
  expect(reader.logger.warnings).toEqual([]);
  const hits = reader.db.getCacheStats().local.hits;
  expect(await reader.db.hasAttribute('user', id, 'BETA')).toBe(false);
  expect(reader.db.getCacheStats().local.hits).toBe(hits + 1);
});
