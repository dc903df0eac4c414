import { randomUUID } from 'node:crypto';
import { masterNodes, type RedisConnection } from '../redis';
import type { CacheLogger } from './health';
import type { CacheKeys } from './keys';

/** Outlives any pause between two checks; refreshed at each. */
const EPOCH_TTL_MS = 30 * 86_400_000;
const LOCK_TTL_MS = 30_000;

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Before a process trusts Redis (at start and after every outage): if Redis restarted since the
 * namespace was last checked (its `run_id` changed), it may have reloaded a snapshot older than
 * writes whose invalidations it then lost, so every entry is flushed first, by one process (a
 * lock); the others wait (throw, staying down) until that is done. Returns the epoch, which the
 * caller passes back as `previous` at its next check: a namespace with no epoch yet is only news
 * (logged) when this process had already used an earlier one, not at a first start.
 *
 * Under Sentinel the `run_id` is the current master's: a failover (a new master, whose replica copy
 * may miss the last invalidations) flushes too. On a cluster the epoch is every master's `run_id`,
 * sorted: any master restarted or failed over, or a master added, flushes the whole namespace.
 */
export async function checkRedisEpoch(
  redis: RedisConnection,
  keys: CacheKeys,
  flush: () => Promise<void>,
  logger: CacheLogger,
  previous: string | undefined,
): Promise<string> {
  const runId = await redisEpoch(redis);
  const stored = await redis.get(keys.epoch);
  if (stored === runId) return runId;
  const token = randomUUID();
  if ((await redis.set(keys.epochLock, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
    throw new Error('another process is flushing the cache after a Redis restart');
  }
  try {
    if ((await redis.get(keys.epoch)) === runId) return runId;
    await flush();
    await redis.set(keys.epoch, runId, 'PX', EPOCH_TTL_MS);
    if (stored === null) {
      if (previous !== undefined) logger.info({ previousRunId: previous, runId }, 'cache: new Redis epoch, entries flushed');
    } else logger.warn({ previousRunId: stored, runId }, 'cache: Redis restarted (possibly from an older snapshot), entries flushed');
    return runId;
  } finally {
    await redis.eval(RELEASE_SCRIPT, 1, keys.epochLock, token).catch(() => undefined);
  }
}

/** The `run_id` of every master (one, unless a cluster), sorted and joined. */
async function redisEpoch(redis: RedisConnection): Promise<string> {
  const masters = masterNodes(redis);
  if (masters.length === 0) throw new Error('Redis reports no master');
  const runIds = await Promise.all(
    masters.map(async (node) => {
      const runId = /^run_id:(\w+)/m.exec(await node.info('server'))?.[1];
      if (runId === undefined) throw new Error('Redis INFO reports no run_id');
      return runId;
    }),
  );
  return runIds.sort().join(',');
}
