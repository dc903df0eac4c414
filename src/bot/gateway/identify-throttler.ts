import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisConnection } from '../../redis';
import type { Logger } from '../../core/logger';

/** Discord lets one IDENTIFY per `shard_id % max_concurrency` bucket through per 5 s, for the whole bot. */
export const DISCORD_IDENTIFY_WINDOW_MS = 5000;
/** Added to the window: Discord measures it on its side, after network jitter. */
const WINDOW_MARGIN_MS = 250;

export interface RedisIdentifyThrottlerOptions {
  /** A fail-fast connection shared by every process of the bot, on every host. */
  redis: RedisConnection;
  /** Key prefix of this deployment (`CACHE_PREFIX`): the leases are `<prefix>:identify:<bucket>`. */
  prefix: string;
  /** `session_start_limit.max_concurrency` of `/gateway/bot`. */
  maxConcurrency: number;
  /** Default `DISCORD_IDENTIFY_WINDOW_MS`; only a simulator would have another. */
  windowMs?: number;
  /**
   * How long Redis may keep failing (not connected yet, a command timing out on a busy host)
   * before this process paces its shards alone. Default 30 000 ms.
   */
  redisGraceMs?: number;
  logger: Pick<Logger, 'warn'>;
}

/**
 * The identify throttle of @discordjs/ws (`buildIdentifyThrottler`), shared through Redis by every
 * cluster process on every host: a shard identifies once it holds its bucket's lease, which
 * expires by itself one window later (so a host that dies holds nothing). Clusters and hosts that
 * start together therefore never exceed `max_concurrency` per window. Should Redis stay unreachable
 * past `redisGraceMs`, this process paces its own shards as discord.js does alone.
 */
export class RedisIdentifyThrottler {
  private readonly windowMs: number;
  /** Per bucket: the local pacing used while Redis is unreachable (a chain, so waiters go one by one). */
  private readonly localTurns = new Map<number, Promise<void>>();
  private warned = false;

  constructor(private readonly options: RedisIdentifyThrottlerOptions) {
    this.windowMs = (options.windowMs ?? DISCORD_IDENTIFY_WINDOW_MS) + WINDOW_MARGIN_MS;
  }

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const bucket = shardId % Math.max(1, this.options.maxConcurrency);
    const key = `${this.options.prefix}:identify:${bucket}`;
    let failingSince: number | undefined;
    for (;;) {
      signal.throwIfAborted();
      let waitMs: number;
      try {
        if ((await this.options.redis.set(key, String(shardId), 'PX', this.windowMs, 'NX')) === 'OK') return;
        waitMs = await this.options.redis.pttl(key);
        failingSince = undefined;
      } catch (error) {
        // At start the connection may not be up yet, and a busy host can time a command out: retry.
        failingSince ??= Date.now();
        if (Date.now() - failingSince < (this.options.redisGraceMs ?? 30_000)) {
          waitMs = 200;
        } else {
          if (!this.warned) this.options.logger.warn({ err: error }, 'identify throttle: Redis unreachable, pacing this process alone');
          this.warned = true;
          return this.waitLocally(bucket, signal);
        }
      }
      // A little spread, so the shards waiting on one bucket do not all ask again at the same instant.
      await sleep(Math.max(waitMs, 10) + Math.random() * 50, undefined, { signal });
    }
  }

  private waitLocally(bucket: number, signal: AbortSignal): Promise<void> {
    const previous = this.localTurns.get(bucket) ?? Promise.resolve();
    const turn = previous.then(() => sleep(this.windowMs, undefined, { signal }).catch(() => undefined));
    this.localTurns.set(bucket, turn);
    // This shard may identify now; the next one of the bucket waits a window after it.
    return previous;
  }
}
