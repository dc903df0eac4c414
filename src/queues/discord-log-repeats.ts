import type { RedisConnection } from '../redis';

export interface RepeatCounterOptions {
  redis: RedisConnection;
  /** BullMQ prefix: keys are `<prefix>:discord-log:…`. */
  prefix: string;
  /** How long after a post identical errors count as repeats of it. */
  windowMs: number;
}

/** Sample codes kept per error for the follow-up post (the count is exact). */
const CODES_KEPT = 10;
/** Counts outlive any window: a follow-up that fails and retries still finds them. */
const COUNT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Subtracts the repeats a follow-up reported and, when none are left, clears the flag saying a
 * follow-up is due, in one step: a repeat counted meanwhile either stays counted under the flag (and
 * the caller schedules another follow-up) or finds the flag cleared and schedules one itself.
 */
const SETTLE_SCRIPT = `
local left = redis.call('DECRBY', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
if left <= 0 then redis.call('DEL', KEYS[3]) end
return left`;

/**
 * The dedupe window of the log channel, in Redis so every Discord-log worker shares it: the first
 * error of a fingerprint claims the window and is posted; the identical ones after it, until the
 * window closes, are counted here and posted once by a follow-up job.
 */
export class RepeatCounter {
  constructor(private readonly options: RepeatCounterOptions) {}

  /** True when this error opens a window (post it); false while one is open (count it). */
  async claim(fingerprint: string, code: string): Promise<boolean> {
    return (await this.options.redis.set(this.key('window', fingerprint), code, 'PX', this.options.windowMs, 'NX')) === 'OK';
  }

  /** Gives a window back when its post failed, so the retried post is not taken for a repeat. */
  async release(fingerprint: string): Promise<void> {
    await this.options.redis.del(this.key('window', fingerprint));
  }

  /**
   * Counts repeats. `first` is true when no follow-up is due for this error yet (schedule one then,
   * `windowMsLeft` from now); `windowCode` is the code of the error that opened the window.
   */
  async add(fingerprint: string, codes: readonly string[]): Promise<{ first: boolean; windowMsLeft: number; windowCode: string | null }> {
    const count = this.key('count', fingerprint);
    const sample = this.key('codes', fingerprint);
    const window = this.key('window', fingerprint);
    const results = await this.options.redis
      .multi()
      .incrby(count, codes.length)
      .pexpire(count, COUNT_TTL_MS)
      .rpush(sample, ...codes)
      .ltrim(sample, -CODES_KEPT, -1)
      .pexpire(sample, COUNT_TTL_MS)
      .pttl(window)
      .get(window)
      .set(this.key('pending', fingerprint), '1', 'PX', COUNT_TTL_MS, 'NX')
      .exec();
    const value = (index: number): unknown => {
      const [error, result] = results?.[index] ?? [new Error('no reply')];
      if (error) throw error;
      return result;
    };
    return { first: value(7) === 'OK', windowMsLeft: Math.max(0, Number(value(5))), windowCode: (value(6) as string | null) ?? null };
  }

  /** The repeats counted so far and a sample of their codes (oldest first). */
  async read(fingerprint: string): Promise<{ count: number; codes: string[] }> {
    const [count, codes] = await Promise.all([
      this.options.redis.get(this.key('count', fingerprint)),
      this.options.redis.lrange(this.key('codes', fingerprint), 0, -1),
    ]);
    return { count: Number(count ?? 0), codes };
  }

  /**
   * After the follow-up is posted: subtracts what it reported. Returns the repeats counted meanwhile
   * (between `read` and now): more than 0 means another follow-up is due for them.
   */
  async settle(fingerprint: string, reported: number): Promise<number> {
    const left = await this.options.redis.eval(
      SETTLE_SCRIPT,
      3,
      this.key('count', fingerprint),
      this.key('codes', fingerprint),
      this.key('pending', fingerprint),
      reported,
    );
    return Number(left);
  }

  private key(kind: 'window' | 'count' | 'codes' | 'pending', fingerprint: string): string {
    return `${this.options.prefix}:discord-log:${kind}:${fingerprint}`;
  }
}
