import type { Config } from '../config';

/** The BullMQ prefix of this deployment: `QUEUE_PREFIX`, else `CACHE_PREFIX`. */
export function queuePrefix(config: Pick<Config, 'QUEUE_PREFIX' | 'CACHE_PREFIX'>): string {
  return config.QUEUE_PREFIX ?? config.CACHE_PREFIX;
}
