import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { SentinelRedis } from './sentinel-client';
import { asRedisTarget, type RedisTargetLike } from './target';

/** A connection in any mode: ioredis' `Redis` (one node or Sentinel) or `Cluster`. */
export type RedisConnection = Redis | Cluster;

/** How a role connects (fail fast or wait, timeouts…), whatever the mode. */
export type ConnectionOptions = Omit<RedisOptions, 'host' | 'port' | 'path' | 'sentinels' | 'name'>;

/**
 * The one place a Redis connection is made: the same role options give a one-node client, a
 * Sentinel-managed client (ioredis asks the sentinels for the master and follows failovers) or a
 * Cluster client (ioredis routes each command to its slot's master), from the configured target.
 */
export function createRedisConnection(target: RedisTargetLike, options: ConnectionOptions = {}): RedisConnection {
  const resolved = asRedisTarget(target);
  switch (resolved.mode) {
    case 'single':
      return new Redis(resolved.url, options);
    case 'sentinel':
      return new SentinelRedis({
        ...options,
        sentinels: resolved.sentinels,
        name: resolved.name,
        ...(resolved.sentinelPassword === undefined ? {} : { sentinelPassword: resolved.sentinelPassword }),
        ...(resolved.password === undefined ? {} : { password: resolved.password }),
        // Subscribes to the sentinels' +switch-master: connections move at a failover, not at the next timeout.
        failoverDetector: true,
        // A demoted master answers writes with READONLY until its clients are moved: reconnect to the new one.
        reconnectOnError: (error) => error.message.startsWith('READONLY'),
      });
    case 'cluster':
      return new Cluster(resolved.nodes, clusterOptions(options, resolved.password));
  }
}

const SLOTS_REFRESH_INTERVAL_MS = 5000;

/** Splits role options between the cluster client and the per-node connections it opens. */
function clusterOptions(options: ConnectionOptions, password: string | undefined): ClusterOptions {
  const { enableOfflineQueue, retryStrategy, lazyConnect, enableAutoPipelining, enableReadyCheck, readOnly: _readOnly, ...node } = options;
  return {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    ...(enableReadyCheck === undefined ? {} : { enableReadyCheck }),
    // The cluster's own reconnection (every node lost).
    clusterRetryStrategy: (attempts: number) => retryStrategy?.(attempts) ?? Math.min(attempts * 100, 2000),
    // The slot map is refreshed periodically, whatever traffic runs. ioredis drops a master whose
    // connection ended and adds it back only at a slots refresh, which otherwise only a MOVED reply to
    // a lone command triggers; the cache's pipelined commands (several slots of the lost master in one
    // pipeline, each with its own MOVED reply) neither retry nor refresh. A master restarted empty with
    // the same slots then stayed out of the client and the cache tier never came back (docs/redis.md).
    // ioredis documents 5 s as the default but sets none. Node connections keep ioredis' default (no
    // reconnection): a node connection left reconnecting never emits 'end' when the client is closed.
    slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
    redisOptions: { ...node, ...(password === undefined ? {} : { password }) },
    // Every command goes to its slot's master: a replica may lag behind a write the cache must see.
    scaleReads: 'master',
  };
}

/** The masters to visit one by one (SCAN, INFO): every master of a cluster, or the one node. */
export function masterNodes(redis: RedisConnection): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis instanceof Cluster;
}
