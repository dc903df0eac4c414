import type { RedisConnection } from '../redis';
import type { CacheKeys } from './keys';
import { isCluster } from '../redis';
import { withDeadline } from '../core/deadline';
import { globLiteral, scanKeys, unlinkKeys } from './scan';

/**
 * Stores each entry only if its version key still holds the version read before the load: a write
 * that committed meanwhile bumped it, so a value loaded before that write is dropped, not cached.
 * KEYS = entry1, version1, entry2, version2…; ARGV = text, ttl ms, expected version (''= none) per entry.
 */
const FILL_SCRIPT = `
local stored = {}
for i = 1, #KEYS, 2 do
  local j = (i - 1) / 2 * 3
  if (redis.call('GET', KEYS[i + 1]) or '') == ARGV[j + 3] then
    redis.call('SET', KEYS[i], ARGV[j + 1], 'PX', ARGV[j + 2])
    stored[#stored + 1] = 1
  else
    stored[#stored + 1] = 0
  end
end
return stored`;

/**
 * KEYS = entry1, version1…; ARGV = channel, message, version ttl ms. Bumps, deletes and announces in
 * one round trip (an empty channel: no announcement, the caller publishes once for several scripts).
 */
const INVALIDATE_SCRIPT = `
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i + 1])
  redis.call('PEXPIRE', KEYS[i + 1], ARGV[3])
  redis.call('DEL', KEYS[i])
end
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return 1`;

type ScriptArg = string | number;
interface ScriptedRedis {
  moddyCacheFill(...args: ScriptArg[]): Promise<number[]>;
  moddyCacheInvalidate(...args: ScriptArg[]): Promise<number>;
  /** The same scripts over one entry and its version (cluster mode): declaring the key count lets the client route them by key. */
  moddyCacheFillOne(entry: string, version: string, ...args: ScriptArg[]): Promise<number[]>;
  moddyCacheInvalidateOne(entry: string, version: string, ...args: ScriptArg[]): Promise<number>;
}

/** Keys a SCAN step visits: a few ms of the server's time, and 100 times fewer round trips than the default 100. */
const SCAN_STEP = 10_000;

/** Keys per batched MGET at most (entries and versions): a burst of reads does not become one huge command. */
const MAX_BATCH_NAMES = 512;

interface BatchedRead {
  /** How many entries this reader asked for: its entries, then as many versions, in the MGET. */
  count: number;
  resolve(read: StoreRead): void;
  reject(error: unknown): void;
}

/** Entries and their versions, read together (one MGET is atomic), in the order asked. */
export interface StoreRead {
  values: (string | null)[];
  versions: (string | null)[];
}

export interface FillEntry {
  key: string;
  text: string;
  ttlMs: number;
  /** The version key's value read before the load; `null` when it had none. */
  version: string | null;
}

/**
 * The Redis side of the cache: one command per fill and per invalidation, one per tick for reads.
 * On a Redis Cluster an entry and its version share a slot but two entries rarely do, so each
 * entry gets its own command, sent together: ioredis' auto-pipelining writes the commands of one
 * tick as one pipeline per node, so a read of several entries is still one round trip.
 * Errors propagate to the caller.
 */
export class RedisStore {
  private readonly scripted: ScriptedRedis;
  private batch: { names: string[]; readers: BatchedRead[] } = { names: [], readers: [] };
  private readonly flushBatch = (): void => this.flush();
  private readonly sharded: boolean;

  constructor(
    readonly redis: RedisConnection,
    private readonly keys: CacheKeys,
    /** Outlives every entry TTL, so a version cannot expire during a load it guards. */
    private readonly versionTtlMs: number,
    /** The wait on a read, fill or invalidation before it fails (`CACHE_REDIS_TIMEOUT_MS`); see `bounded`. */
    private readonly timeoutMs: number,
  ) {
    redis.defineCommand('moddyCacheFill', { lua: FILL_SCRIPT });
    redis.defineCommand('moddyCacheInvalidate', { lua: INVALIDATE_SCRIPT });
    redis.defineCommand('moddyCacheFillOne', { lua: FILL_SCRIPT, numberOfKeys: 2 });
    redis.defineCommand('moddyCacheInvalidateOne', { lua: INVALIDATE_SCRIPT, numberOfKeys: 2 });
    this.scripted = redis as unknown as ScriptedRedis;
    this.sharded = isCluster(redis);
  }

  /**
   * Entries and their versions, read together (one MGET is atomic, so a version always belongs to
   * the entry read beside it). The reads issued in one tick share one MGET: at concurrency the
   * client's per-command cost, not Redis, is what limits throughput.
   */
  read(keys: readonly string[]): Promise<StoreRead> {
    if (this.sharded) return this.readPerEntry(keys);
    return new Promise((resolve, reject) => {
      if (this.batch.names.length + 2 * keys.length > MAX_BATCH_NAMES) this.flush();
      if (this.batch.readers.length === 0) process.nextTick(this.flushBatch);
      const { names, readers } = this.batch;
      for (const key of keys) names.push(key);
      for (const key of keys) names.push(this.keys.version(key));
      readers.push({ count: keys.length, resolve, reject });
    });
  }

  /** Cluster mode: one MGET per entry (entry and version, one slot), pipelined per node by the client. */
  private async readPerEntry(keys: readonly string[]): Promise<StoreRead> {
    const pairs = await this.bounded(Promise.all(keys.map((key) => this.redis.mget(key, this.keys.version(key)))), 'MGET');
    return { values: pairs.map((pair) => pair[0] ?? null), versions: pairs.map((pair) => pair[1] ?? null) };
  }

  /** True per entry that was stored, false where a write raced the load. */
  async fill(entries: readonly FillEntry[]): Promise<boolean[]> {
    if (this.sharded) {
      const stored = await this.bounded(
        Promise.all(
          entries.map((entry) =>
            this.scripted.moddyCacheFillOne(entry.key, this.keys.version(entry.key), entry.text, entry.ttlMs, entry.version ?? ''),
          ),
        ),
        'fill',
      );
      return stored.map(([flag]) => flag === 1);
    }
    const keys = entries.flatMap((entry) => [entry.key, this.keys.version(entry.key)]);
    const args = entries.flatMap((entry) => [entry.text, entry.ttlMs, entry.version ?? '']);
    const stored = await this.bounded(this.scripted.moddyCacheFill(keys.length, ...keys, ...args), 'fill');
    return stored.map((flag) => flag === 1);
  }

  /** Sends the pending reads as one MGET and hands each reader its part. */
  private flush(): void {
    const { names, readers } = this.batch;
    if (readers.length === 0) return;
    this.batch = { names: [], readers: [] };
    this.bounded(this.redis.mget(names), 'MGET').then(
      (values) => {
        let offset = 0;
        for (const reader of readers) {
          const versionsAt = offset + reader.count;
          reader.resolve({ values: values.slice(offset, versionsAt), versions: values.slice(versionsAt, versionsAt + reader.count) });
          offset = versionsAt + reader.count;
        }
      },
      (error: unknown) => {
        for (const reader of readers) reader.reject(error);
      },
    );
  }

  /** Bumps the versions, deletes the entries and publishes `message` on the invalidation channel. */
  async invalidate(keys: readonly string[], message: string): Promise<void> {
    if (this.sharded) {
      await this.bounded(
        Promise.all(keys.map((key) => this.scripted.moddyCacheInvalidateOne(key, this.keys.version(key), '', '', this.versionTtlMs))),
        'invalidation',
      );
      await this.bounded(this.redis.publish(this.keys.channel, message), 'invalidation');
      return;
    }
    const redisKeys = keys.flatMap((key) => [key, this.keys.version(key)]);
    await this.bounded(
      this.scripted.moddyCacheInvalidate(redisKeys.length, ...redisKeys, this.keys.channel, message, this.versionTtlMs),
      'invalidation',
    );
  }

  /**
   * A read, fill or invalidation, failed after `timeoutMs`, in the check phase (`withDeadline`):
   * the client's own timeout runs in the timers phase, before the poll that reads the replies, so
   * after a stall of the event loop (a saturated cluster) it failed commands whose replies had
   * arrived, and sent their reads to PostgreSQL. The client's timeout stays as a longer backstop
   * for everything else (`createCacheRedisClients`).
   */
  private bounded<T>(command: Promise<T>, what: string): Promise<T> {
    return withDeadline(command, this.timeoutMs, `Redis ${what}`);
  }

  /** Deletes every entry whose key starts with `prefix` (versions are kept: they still guard fills) and publishes `message`. */
  async invalidatePrefix(prefix: string, message: string): Promise<void> {
    await this.invalidatePrefixes(prefix, [prefix], message);
  }

  /**
   * Drops every key starting with one of `prefixes`, which all start with `within`, then announces
   * `message` once. One SCAN of `within`, in large steps: a SCAN walks the whole keyspace whatever
   * its pattern, and the flush after a Redis restart runs before the cache is used again, on a
   * Redis that may also hold millions of queue keys.
   */
  async invalidatePrefixes(within: string, prefixes: readonly string[], message: string): Promise<void> {
    const dropped = (key: string): boolean => prefixes.some((prefix) => key.startsWith(prefix));
    await scanKeys(
      this.redis,
      `${globLiteral(within)}*`,
      async (found, node) => void (await unlinkKeys(this.redis, node, found.filter(dropped))),
      SCAN_STEP,
    );
    await this.redis.publish(this.keys.channel, message);
  }
}
