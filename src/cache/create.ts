import { createLogger } from '../core/logger';
import type { RedisTargetLike } from '../redis';
import { CachedDatabase, type CacheableDatabase } from './cached-database';
import type { CacheLogger } from './health';
import type { ResolvedCacheOptions } from './options';
import { createCacheRedisClients } from './redis-clients';

export interface CreateCachedDatabaseOptions {
  redis: RedisTargetLike;
  options: ResolvedCacheOptions;
  /** Default: the `cache` component logger. */
  logger?: CacheLogger;
}

/** Wraps the uncached API in the cache tiers with its own two Redis connections (closed by `close()`). */
export async function createCachedDatabase(
  inner: CacheableDatabase,
  { redis: target, options, logger }: CreateCachedDatabaseOptions,
): Promise<CachedDatabase> {
  const { redis, subscriber } = createCacheRedisClients(target, options.redisTimeoutMs);
  const cached = new CachedDatabase({ inner, redis, subscriber, options, logger: logger ?? createLogger('cache') });
  return cached.start(options.startupTimeoutMs);
}
