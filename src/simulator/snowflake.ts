import { DISCORD_EPOCH_MS, snowflakeDate } from '../core/snowflake';

/**
 * Mints Discord-shaped snowflakes: 42 bits of milliseconds since the Discord epoch, 10 bits of
 * worker/process, 12 bits of increment. The increment makes IDs minted in the same millisecond
 * distinct, and monotonic, as Discord's are.
 */
export class SnowflakeFactory {
  private increment = 0;

  constructor(private readonly workerId = 1) {}

  /** A snowflake for the instant `at` (default: now). */
  next(at: number = Date.now()): string {
    this.increment = (this.increment + 1) & 0xfff;
    const timestamp = BigInt(Math.max(0, Math.floor(at) - DISCORD_EPOCH_MS));
    return ((timestamp << 22n) | (BigInt(this.workerId & 0x3ff) << 12n) | BigInt(this.increment)).toString();
  }
}

/** The shard Discord routes a guild's events to: `(guild_id >> 22) % shard_count`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** When a snowflake was minted, as an ISO string (Discord's timestamp format). */
export function snowflakeTimestamp(id: string): string {
  return snowflakeDate(id).toISOString();
}
