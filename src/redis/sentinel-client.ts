import Redis, { type RedisOptions } from 'ioredis';

/** The part of ioredis' SentinelConnector (private) that holds the failover detector. */
interface WithFailoverDetector {
  connector?: { failoverDetector?: { cleanup(): void } | null };
}

/**
 * A Sentinel-managed client that releases its failover detector when it ends. The detector keeps a
 * subscribed connection to every sentinel, and ioredis closes them only in `disconnect()`: after
 * `quit()` (our close path and BullMQ's) they stayed open, and once the sentinels went away they
 * reconnected every 60 s for good (`sentinelReconnectStrategy`), so a closed process never exited.
 * `duplicate()` (BullMQ's blocking connections) keeps the class.
 */
export class SentinelRedis extends Redis {
  constructor(options: RedisOptions) {
    super(options);
    this.on('end', () => (this as unknown as WithFailoverDetector).connector?.failoverDetector?.cleanup());
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new SentinelRedis({ ...this.options, ...override });
  }
}
