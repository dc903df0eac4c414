import type { Config } from '../config';
import { isCluster, type RedisConnection } from '../redis';

/** The BullMQ prefix of this deployment: `QUEUE_PREFIX`, else `CACHE_PREFIX`. */
export function queuePrefix(config: Pick<Config, 'QUEUE_PREFIX' | 'CACHE_PREFIX'>): string {
  return config.QUEUE_PREFIX ?? config.CACHE_PREFIX;
}

/**
 * The prefix BullMQ is given on `connection`. On a Redis Cluster it becomes a hash tag (`{moddy}`),
 * as BullMQ documents: its Lua scripts touch several keys of a queue at once, and these must all
 * live in one slot. One node and Sentinel keep the plain prefix (existing queues stay where they are).
 */
export function bullPrefix(prefix: string, connection: RedisConnection): string {
  return isCluster(connection) && !/^\{[^}]+\}$/.test(prefix) ? `{${prefix}}` : prefix;
}
