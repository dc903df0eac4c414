import type { RedisConnection } from '../redis';
import type { CacheKeys } from './keys';
import { isCluster } from '../redis';
import { withDeadline } from '../core/deadline';
import { globLiteral, scanKeys, unlinkKeys } from './scan';
import { TurnBatch } from '../core/turn-batch';

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

/** Entries per batched MGET or fill at most (each with its version): a burst does not become one huge command. */
const MAX_BATCH_ENTRIES = 256;

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
 * The Redis side of the cache: the reads of one event-loop turn are one MGET, its fills one script call, an
 * invalidation one script call (the `Invalidator` batches those of a turn).
 * On a Redis Cluster an entry and its version share a slot but two entries rarely do, so each
 * entry gets its own command, sent together: ioredis' auto-pipelining writes the commands of one
 * tick as one pipeline per node, so a read of several entries is still one round trip.
 * Errors propagate to the caller.
 */
export class RedisStore {
  private readonly scripted: ScriptedRedis;
  private readonly sharded: boolean;
  // No bound on batches in flight: a caller waits on Redis one deadline at most (queued behind
  // another batch, it would wait for both).
  private readonly reads = new TurnBatch<readonly string[], StoreRead>({
    send: (requests) => this.readTogether(requests),
    weightOf: (keys) => keys.length,
    maxWeight: MAX_BATCH_ENTRIES,
  });
  private readonly fills = new TurnBatch<readonly FillEntry[], boolean[]>({
    send: (requests) => this.fillTogether(requests),
    weightOf: (entries) => entries.length,
    maxWeight: MAX_BATCH_ENTRIES,
  });

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
   * the entry read beside it). The reads issued in one turn of the event loop share one MGET.
   */
  read(keys: readonly string[]): Promise<StoreRead> {
    return this.sharded ? this.readPerEntry(keys) : this.reads.submit(keys);
  }

  /** One MGET: each reader's entries, then as many versions; each reader gets its part. */
  private async readTogether(requests: readonly (readonly string[])[]): Promise<StoreRead[]> {
    const names: string[] = [];
    for (const keys of requests) {
      for (const key of keys) names.push(key);
      for (const key of keys) names.push(this.keys.version(key));
    }
    const values = await this.bounded(this.redis.mget(names), 'MGET');
    let offset = 0;
    return requests.map((keys) => {
      const versionsAt = offset + keys.length;
      const read = { values: values.slice(offset, versionsAt), versions: values.slice(versionsAt, versionsAt + keys.length) };
      offset = versionsAt + keys.length;
      return read;
    });
  }

  /** Cluster mode: one MGET per entry (entry and version, one slot), pipelined per node by the client. */
  private async readPerEntry(keys: readonly string[]): Promise<StoreRead> {
    const pairs = await this.bounded(Promise.all(keys.map((key) => this.redis.mget(key, this.keys.version(key)))), 'MGET');
    return { values: pairs.map((pair) => pair[0] ?? null), versions: pairs.map((pair) => pair[1] ?? null) };
  }

  /** True per entry that was stored, false where a write raced the load. The fills of one turn share one script call. */
  async fill(entries: readonly FillEntry[]): Promise<boolean[]> {
    if (!this.sharded) return this.fills.submit(entries);
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

  /** One script call for every fill of a batch; each gets its flags. */
  private async fillTogether(requests: readonly (readonly FillEntry[])[]): Promise<boolean[][]> {
    const entries = requests.flat();
    const keys = entries.flatMap((entry) => [entry.key, this.keys.version(entry.key)]);
    const args = entries.flatMap((entry) => [entry.text, entry.ttlMs, entry.version ?? '']);
    const stored = await this.bounded(this.scripted.moddyCacheFill(keys.length, ...keys, ...args), 'fill');
    let offset = 0;
    return requests.map((request) => stored.slice(offset, (offset += request.length)).map((flag) => flag === 1));
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
