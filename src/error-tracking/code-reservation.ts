import { isCluster, type RedisConnection } from '../redis';

export interface CodeReservationOptions {
  redis: RedisConnection;
  /** Key prefix: reservations are `<prefix>:errors:code:<CODE>`. */
  prefix: string;
  /** Longer than the errors' retention, so a code is never handed out twice while its row exists. */
  ttlSeconds: number;
  generate: () => string;
  /** Codes kept reserved ahead, so `capture()` needs no round trip and survives a Redis outage. Default 256. */
  poolSize?: number;
}

export const DEFAULT_CODE_POOL_SIZE = 256;

/** Tries of the generator before giving up on one code (a repeat is a 1-in-10^12 event). */
const MAX_TRIES = 16;

/**
 * Hands out error codes that are unique across every process: each is reserved in Redis with
 * `SET NX` (the value names the capture that owns it) before it is used. A pool of codes reserved
 * ahead serves `take()` synchronously; it refills in the background.
 */
export class CodeReservations {
  private readonly pool: string[] = [];
  private refilling: Promise<void> | undefined;
  private readonly poolSize: number;

  constructor(private readonly options: CodeReservationOptions) {
    this.poolSize = options.poolSize ?? DEFAULT_CODE_POOL_SIZE;
  }

  key(code: string): string {
    return `${this.options.prefix}:errors:code:${code}`;
  }

  /** A code reserved earlier, or undefined when the pool is empty. Starts a refill when it runs low. */
  take(): string | undefined {
    const code = this.pool.pop();
    if (this.pool.length < this.poolSize / 2) void this.refill();
    return code;
  }

  /** Reserves a fresh code now (one round trip per try). Throws when Redis fails. */
  async reserveFresh(owner: string): Promise<string> {
    for (let tries = 0; tries < MAX_TRIES; tries += 1) {
      const code = this.options.generate();
      if (await this.claim(code, owner)) return code;
    }
    throw new Error(`No free error code after ${MAX_TRIES} tries: is the code generator broken?`);
  }

  /**
   * Reserves `code` for `owner`; true when it is now (or already was) that owner's. Used again when
   * a spooled error is replayed, so replays are idempotent.
   */
  async claim(code: string, owner: string): Promise<boolean> {
    const key = this.key(code);
    const set = await this.options.redis.set(key, owner, 'EX', this.options.ttlSeconds, 'NX');
    if (set === 'OK') return true;
    return (await this.options.redis.get(key)) === owner;
  }

  /** Fills the pool (one pipelined round trip per round). Failures are ignored: `take()` then falls back. */
  refill(): Promise<void> {
    this.refilling ??= this.fill()
      .catch(() => undefined)
      .finally(() => {
        this.refilling = undefined;
      });
    return this.refilling;
  }

  get available(): number {
    return this.pool.length;
  }

  private async fill(): Promise<void> {
    for (let round = 0; round < MAX_TRIES && this.pool.length < this.poolSize; round += 1) {
      if (this.options.redis.status !== 'ready') return;
      const codes = Array.from({ length: this.poolSize - this.pool.length }, () => this.options.generate());
      const reserved = await this.reserveForPool(codes);
      codes.forEach((code, i) => {
        if (reserved[i]) this.pool.push(code);
      });
    }
  }

  /**
   * `SET NX` of every code in one round trip; true where it is now reserved. Pool codes are owned by
   * "pool": the first use of each is its only use (it leaves the pool). One pipeline on one node; on a
   * Redis Cluster the codes hash to every slot and ioredis refuses a pipeline that spans nodes, so the
   * commands are sent together, each routed to its master (before, the pool never filled on a cluster
   * and every capture paid a reservation round trip and a failed refill).
   */
  private async reserveForPool(codes: readonly string[]): Promise<boolean[]> {
    const { redis, ttlSeconds } = this.options;
    if (isCluster(redis)) {
      const results = await Promise.allSettled(codes.map((code) => redis.set(this.key(code), 'pool', 'EX', ttlSeconds, 'NX')));
      return results.map((result) => result.status === 'fulfilled' && result.value === 'OK');
    }
    const pipeline = redis.pipeline();
    for (const code of codes) pipeline.set(this.key(code), 'pool', 'EX', ttlSeconds, 'NX');
    const results = (await pipeline.exec()) ?? [];
    return codes.map((_, i) => results[i]?.[1] === 'OK');
  }
}
