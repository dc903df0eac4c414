import type { Config } from '../config';

/** Tuning of the cache tier. Every field defaults to its environment variable (see `src/config/schema.ts`). */
export interface CacheOptions {
  /** First segment of every cache key and of the invalidation channel. Default `CACHE_PREFIX` (`moddy`). */
  prefix?: string;
  /** Redis TTL of a user's or guild's attributes. Default `CACHE_ATTRIBUTES_TTL_SECONDS` (300). */
  attributesTtlSeconds?: number;
  /** Redis TTL of a user or guild record (`getUser`/`getGuild`). Default `CACHE_RECORDS_TTL_SECONDS` (120). */
  recordsTtlSeconds?: number;
  /** Redis TTL of a `guilds_cache` lookup. Default `CACHE_LOOKUPS_TTL_SECONDS` (3600). */
  lookupsTtlSeconds?: number;
  /** Entries of the in-process LRU; 0 turns the local tier off. Default `CACHE_LOCAL_MAX_ENTRIES` (10000). */
  localMaxEntries?: number;
  /**
   * The hard staleness bound of the local tier when invalidations cannot arrive: a process serves
   * local entries only while its invalidation stream was confirmed complete within this (a PING on
   * the subscriber connection, every quarter of it); on a Redis Cluster, which cannot confirm it,
   * each local entry lives this long. 0 turns the local tier off. Default `CACHE_LOCAL_TTL_MS` (2000).
   */
  localTtlMs?: number;
  /** Lifetime of a local entry while the stream is confirmed (read again from Redis in its second half when in use). Default `CACHE_LOCAL_MAX_AGE_MS` (30000). */
  localMaxAgeMs?: number;
  /** Longest wait on one Redis command before PostgreSQL answers instead. Default `CACHE_REDIS_TIMEOUT_MS` (100). */
  redisTimeoutMs?: number;
  /** Local TTL while Redis is unreachable (invalidations are lost then); 0 bypasses the local tier. Default 0. */
  outageLocalTtlMs?: number;
  /** How often an unreachable Redis is probed. Default 250 ms. */
  probeIntervalMs?: number;
  /** How long `connectDatabase` waits for Redis before starting degraded. Default 1000 ms. */
  startupTimeoutMs?: number;
  /**
   * How often each process reads the PostgreSQL log of invalidations that a writer could not send to
   * Redis: the staleness bound while a writer is cut off from Redis. 0 turns the log off (the bound
   * is then the entry TTL). Default `CACHE_INVALIDATION_LOG_POLL_MS` (1000).
   */
  invalidationLogPollMs?: number;
  /** Keys whose invalidation failed, replayed when Redis is back; past this the whole cache namespace is flushed instead. Default 10000. */
  maxPendingInvalidations?: number;
}

export type ResolvedCacheOptions = Required<CacheOptions>;

/** Fills every option from the configuration. */
export function resolveCacheOptions(config: Config, options: CacheOptions = {}): ResolvedCacheOptions {
  return {
    prefix: options.prefix ?? config.CACHE_PREFIX,
    attributesTtlSeconds: options.attributesTtlSeconds ?? config.CACHE_ATTRIBUTES_TTL_SECONDS,
    recordsTtlSeconds: options.recordsTtlSeconds ?? config.CACHE_RECORDS_TTL_SECONDS,
    lookupsTtlSeconds: options.lookupsTtlSeconds ?? config.CACHE_LOOKUPS_TTL_SECONDS,
    localMaxEntries: options.localMaxEntries ?? config.CACHE_LOCAL_MAX_ENTRIES,
    localTtlMs: options.localTtlMs ?? config.CACHE_LOCAL_TTL_MS,
    localMaxAgeMs: options.localMaxAgeMs ?? config.CACHE_LOCAL_MAX_AGE_MS,
    redisTimeoutMs: options.redisTimeoutMs ?? config.CACHE_REDIS_TIMEOUT_MS,
    outageLocalTtlMs: options.outageLocalTtlMs ?? 0,
    probeIntervalMs: options.probeIntervalMs ?? 250,
    startupTimeoutMs: options.startupTimeoutMs ?? 1000,
    maxPendingInvalidations: options.maxPendingInvalidations ?? 10_000,
    invalidationLogPollMs: options.invalidationLogPollMs ?? config.CACHE_INVALIDATION_LOG_POLL_MS,
  };
}
