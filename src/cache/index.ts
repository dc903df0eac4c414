export { CachedDatabase, type CacheableDatabase, type CachedDatabaseDeps } from './cached-database';
export { createCachedDatabase, type CreateCachedDatabaseOptions } from './create';
export { createCacheRedisClients, type CacheRedisClients } from './redis-clients';
export { resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './options';
export { CacheKeys, CACHE_SCHEMA_VERSION } from './keys';
export { purgeStaleCacheEntries, type PurgeResult } from './purge';
export type { CacheLogger } from './health';
