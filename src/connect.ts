import type { Config } from './config';
import type { ModdyDatabase } from './db/api';
import { createDataSource, poolSettings, type DatabaseTimeouts } from './db/data-source';
import { PostgresDatabase } from './db/postgres-database';
import { redisTargetFromConfig, type RedisTargetLike } from './redis';
import { createCachedDatabase, resolveCacheOptions, type CacheOptions } from './cache';

export interface ConnectOptions {
  /** Where every unset option below comes from: the configuration the entry point read (`parseConfig({})`: the defaults). */
  config: Config;
  /** PostgreSQL connection string. Default: `DATABASE_URL`. */
  databaseUrl?: string;
  /** Redis of the cache tier (a URL, or a Sentinel/Cluster target). Default: the configured mode (`redisTargetFromConfig`). */
  redis?: RedisTargetLike;
  /** Prefix of the cache's Redis keys. Default: `CACHE_PREFIX`. */
  cachePrefix?: string;
  /** `false` turns the cache tier off; an object tunes it (see `CacheOptions`). Default: `CACHE_ENABLED`. */
  cache?: boolean | CacheOptions;
  /** Connections in the PostgreSQL pool. Default: `DATABASE_POOL_SIZE` (10). */
  poolSize?: number;
  /** Bounds on a slow or hung PostgreSQL. Default: the `DATABASE_*_TIMEOUT_MS` variables. */
  timeouts?: DatabaseTimeouts;
}

/**
 * Connects to PostgreSQL (the schema must already be migrated: `npm run migrate`) and returns the
 * data API. Call `close()` when done. Reads no environment: everything comes from `options`.
 */
export async function connectDatabase({ config, ...options }: ConnectOptions): Promise<ModdyDatabase> {
  const pool = poolSettings(config);
  const dataSource = createDataSource({
    url: options.databaseUrl ?? config.DATABASE_URL,
    poolSize: options.poolSize ?? pool.poolSize,
    timeouts: { ...pool.timeouts, ...options.timeouts },
    pgbouncer: pool.pgbouncer,
  });
  await dataSource.initialize();
  const database = new PostgresDatabase(dataSource, {
    maxDataValueBytes: config.DATA_MAX_VALUE_BYTES,
    preparedStatements: !config.DATABASE_PGBOUNCER,
  });
  const cache = options.cache ?? config.CACHE_ENABLED;
  if (cache === false) return database;
  const cacheOptions = resolveCacheOptions(config, { prefix: options.cachePrefix, ...(cache === true ? {} : cache) });
  return createCachedDatabase(database, { redis: options.redis ?? redisTargetFromConfig(config), options: cacheOptions });
}
