import { createRedisConnection, type ConnectionOptions, type RedisConnection, type RedisTargetLike } from '../redis';

export interface ProducerConnectionOptions {
  /** A command that gets no answer fails after this long (a hung Redis). Default 500 ms. */
  commandTimeoutMs?: number;
}

/**
 * The connection of processes that only add jobs (the bot, the board): fails fast while Redis is
 * down (no offline queue, no retries) so the error tracker can fall back at once.
 */
export function createProducerConnection(target: RedisTargetLike, options: ProducerConnectionOptions = {}): RedisConnection {
  return withErrorListener(
    createRedisConnection(target, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 500,
      // Keep reconnecting (capped at 2 s) so the tracker sees Redis again once it is back.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      // A socket that never connected emits no 'close': without this, disconnect() holds the process 2 s.
      disconnectTimeout: 200,
    }),
  );
}

/** The connection of a BullMQ Worker: BullMQ requires `maxRetriesPerRequest: null` (blocking commands). */
export function createWorkerConnection(target: RedisTargetLike, extra: ConnectionOptions = {}): RedisConnection {
  return withErrorListener(createRedisConnection(target, { ...extra, maxRetriesPerRequest: null }));
}

/** Connection errors are expected during outages and reported by the health checks; without a listener ioredis would print each one. */
function withErrorListener(redis: RedisConnection): RedisConnection {
  redis.on('error', () => undefined);
  return redis;
}
