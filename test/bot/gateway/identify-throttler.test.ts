import Redis from 'ioredis';
import { RedisIdentifyThrottler } from '../../../src/bot/gateway/identify-throttler';
import { freePort } from '../../helpers/redis-process';
import { TEST_REDIS_URL, deleteTestKeys, testPrefix } from '../../helpers/services';

const WINDOW_MS = 300;
/** The throttle adds 250 ms to the window (Discord measures it on its side). */
const MIN_GAP_MS = WINDOW_MS + 250;
const silent = { warn: () => undefined };

/**
 * Asks for every shard at once through the given throttlers (round robin: several processes or
 * hosts); returns grant times, by `grantedAt` when given (else this process's clock).
 */
async function grants(
  throttlers: RedisIdentifyThrottler[],
  shards: number[],
  grantedAt: (shard: number) => Promise<number> = () => Promise.resolve(performance.now()),
): Promise<Map<number, number>> {
  const granted = new Map<number, number>();
  const signal = new AbortController().signal;
  await Promise.all(
    shards.map(async (shard, i) => {
      await throttlers[i % throttlers.length]!.waitForIdentify(shard, signal);
      granted.set(shard, await grantedAt(shard));
    }),
  );
  return granted;
}

/**
 * When Redis granted `shard` its bucket's lease, by Redis' clock (its time, less the lease's age):
 * this process's clock adds its own event-loop delays, and a reply read late made a 550 ms gap look
 * like 512 ms on a busy CI machine.
 */
function leaseGrantedAt(redis: Redis, prefix: string, maxConcurrency: number): (shard: number) => Promise<number> {
  return async (shard) => {
    const key = `${prefix}:identify:${shard % maxConcurrency}`;
    const replies = (await redis.multi().get(key).time().pttl(key).exec()) ?? [];
    const [holder, time, remainingMs] = replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [string | null, [string, string], number];
    if (holder !== String(shard)) throw new Error(`the lease of shard ${shard} was read after it ended (held by ${holder})`);
    return Number(time[0]) * 1000 + Number(time[1]) / 1000 - (MIN_GAP_MS - remainingMs);
  };
}

/** Smallest gap between two grants of one bucket. */
function smallestGap(granted: Map<number, number>, maxConcurrency: number): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let bucket = 0; bucket < maxConcurrency; bucket += 1) {
    const times = [...granted]
      .filter(([shard]) => shard % maxConcurrency === bucket)
      .map(([, at]) => at)
      .sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1) smallest = Math.min(smallest, times[i]! - times[i - 1]!);
  }
  return smallest;
}

describe('RedisIdentifyThrottler', () => {
  const prefix = testPrefix('identify');
  const connections: Redis[] = [];
  const connect = (url = TEST_REDIS_URL): Redis => {
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: false });
    redis.on('error', () => undefined);
    connections.push(redis);
    return redis;
  };

  afterAll(async () => {
    await deleteTestKeys(prefix);
    for (const redis of connections) redis.disconnect();
  });

  it('paces the shards of two hosts together: one IDENTIFY per bucket per window', async () => {
    const hosts = [0, 1].map(
      () => new RedisIdentifyThrottler({ redis: connect(), prefix, maxConcurrency: 2, windowMs: WINDOW_MS, logger: silent }),
    );
    const granted = await grants(hosts, [0, 1, 2, 3, 4, 5], leaseGrantedAt(connect(), prefix, 2));
    expect([...granted.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // PTTL counts whole milliseconds.
    expect(smallestGap(granted, 2)).toBeGreaterThanOrEqual(MIN_GAP_MS - 2);
  });

  it('waits for a connection that is not up yet instead of letting every shard through', async () => {
    const early = new RedisIdentifyThrottler({
      redis: connect(),
      prefix: `${prefix}:early`,
      maxConcurrency: 1,
      windowMs: WINDOW_MS,
      logger: silent,
    });
    const other = new RedisIdentifyThrottler({
      redis: connect(),
      prefix: `${prefix}:early`,
      maxConcurrency: 1,
      windowMs: WINDOW_MS,
      logger: silent,
    });
    const granted = await grants([early, other], [0, 1, 2], leaseGrantedAt(connect(), `${prefix}:early`, 1));
    expect(smallestGap(granted, 1)).toBeGreaterThanOrEqual(MIN_GAP_MS - 2);
  });

  it('paces its own shards alone once Redis stays unreachable past the grace', async () => {
    const warnings: unknown[] = [];
    const alone = new RedisIdentifyThrottler({
      redis: connect(`redis://127.0.0.1:${await freePort()}`),
      prefix,
      maxConcurrency: 1,
      windowMs: WINDOW_MS,
      redisGraceMs: 100,
      logger: { warn: (details: unknown) => void warnings.push(details) },
    });
    const granted = await grants([alone], [0, 1, 2]);
    expect(smallestGap(granted, 1)).toBeGreaterThanOrEqual(MIN_GAP_MS - 5);
    expect(warnings).toHaveLength(1);
  });

  it('gives up waiting when the shard is destroyed (the signal aborts)', async () => {
    const throttler = new RedisIdentifyThrottler({
      redis: connect(),
      prefix: `${prefix}:abort`,
      maxConcurrency: 1,
      windowMs: 5000,
      logger: silent,
    });
    const never = new AbortController();
    await throttler.waitForIdentify(0, never.signal); // holds the bucket for 5 s
    const controller = new AbortController();
    const waiting = throttler.waitForIdentify(1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });
});
