import { DeadlineExceededError } from '../core/deadline';
import { asRedisTarget, createRedisConnection, type RedisConnection, type RedisTargetLike } from '../redis';

export interface CacheRedisClients {
  /** Commands: fails fast instead of queueing while disconnected. */
  redis: RedisConnection;
  /** Its own connection: a subscribed connection can run no other command. */
  subscriber: RedisConnection;
}

/** The client's own command timeout: a backstop for the commands not bounded by `RedisStore` (epoch check, scans, subscriptions). */
const BACKSTOP_TIMEOUTS = 10;

/**
 * The cache's two connections. No offline queue and no retry of a failed command: while Redis is
 * away a command fails at once; a hung read, fill, invalidation or PING after `timeoutMs`
 * (`RedisStore`, the health probe), anything else after ten times that (at least a second);
 * reconnection goes on in the background (at most every second, so recovery is noticed quickly).
 */
export function createCacheRedisClients(target: RedisTargetLike, timeoutMs: number): CacheRedisClients {
  const options = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: Math.max(1000, BACKSTOP_TIMEOUTS * timeoutMs),
    connectTimeout: Math.max(1000, timeoutMs * 10),
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    // A socket that never connected never emits 'close': do not hold the process 2 s (the default) at shutdown.
    disconnectTimeout: 200,
    // Cluster: an entry's commands go to its own node (`RedisStore`), and the commands of one tick
    // share one pipeline per node. One node: `RedisStore` already sends a turn's reads as one MGET and
    // its fills as one script call, each from its own callback (its own tick), so the auto-pipeline
    // would only add its objects to every command.
    enableAutoPipelining: asRedisTarget(target).mode === 'cluster',
  };
  return {
    redis: createRedisConnection(target, { ...options, connectionName: 'moddy-cache' }),
    subscriber: createRedisConnection(target, { ...options, connectionName: 'moddy-cache-sub', autoResubscribe: false }),
  };
}

/** A command that got no reply in time (`RedisStore`'s deadline or the client's backstop), as opposed to a refused or broken connection. */
export function isCommandTimeout(error: unknown): boolean {
  return error instanceof DeadlineExceededError || (error instanceof Error && error.message === 'Command timed out');
}
