import type { Codec } from './codec';
import type { RedisHealth } from './health';
import type { LocalCache, LocalHit } from './local-cache';
import type { RedisStore } from './redis-store';
import type { Flight, SingleFlight } from './single-flight';
import type { CacheCounters } from './stats';

/** One kind of entry (a user's attributes, a guild record…): where its keys live, how it is stored, how long it stays in Redis. */
export interface EntrySpace<T> {
  /** `<prefix>:v<n>:<kind>:<entity>:`, as `CacheKeys.space` builds it: an entry's key is this followed by the ID. */
  readonly prefix: string;
  readonly codec: Codec<T>;
  readonly ttlMs: number;
  /**
   * Whether `null` (no such row) is cached like any value. When false, a `null` reaches its callers
   * but no tier: creating the row then leaves nothing stale to invalidate, and a `null` found in
   * Redis (stored by an earlier version) is a miss.
   */
  readonly cachesNull: boolean;
}

/** One entry: its space and ID, and the key they make. */
export interface EntrySpec<T> {
  readonly space: EntrySpace<T>;
  readonly id: string;
  readonly key: string;
}

export function entryOf<T>(space: EntrySpace<T>, id: string): EntrySpec<T> {
  return { space, id, key: space.prefix + id };
}

/** Loads, from PostgreSQL, the entries that missed both tiers; returns their values in the same order. */
export type Loader<T> = (missing: readonly EntrySpec<T>[]) => Promise<T[]>;

export interface ReadThroughDeps {
  local: LocalCache;
  flights: SingleFlight;
  store: RedisStore;
  health: RedisHealth;
  counters: CacheCounters;
  /** Whether, and since when, the invalidation stream is known complete (the subscriber's confirmations). */
  stream: InvalidationStream;
  /**
   * The staleness bound when invalidations cannot arrive: the local tier serves nothing while the
   * stream was last confirmed longer ago than this; where it cannot be confirmed, each local entry
   * lives this long.
   */
  localTtlMs: number;
  /** Lifetime of a local entry where the stream is confirmed. */
  localMaxAgeMs: number;
  /** Local TTL while Redis is not up; 0 bypasses the local tier then. */
  outageLocalTtlMs: number;
}

/** What the read path asks of the invalidation bus (`InvalidationBus`). */
export interface InvalidationStream {
  readonly confirmable: boolean;
  confirmedWithin(ms: number, now: number): boolean;
}

/** A key whose load this call runs; callers that join its flight get the value through `settle`. */
interface OwnedLoad<T> {
  index: number;
  spec: EntrySpec<T>;
  flight: Flight;
  settle: { resolve(value: T): void; reject(error: unknown): void };
}

/** What Redis had for the owned keys: values found, the positions it missed, and the versions a fill must match. */
interface RedisRead<T> {
  values: (T | undefined)[];
  missing: number[];
  /** Absent when Redis was not read: nothing is filled then. */
  versions?: readonly (string | null)[];
}

/**
 * local tier → Redis → PostgreSQL. Values it returns are shared with the local tier: callers copy
 * before handing them out. Misses of several keys cost one MGET and one load; concurrent misses of
 * one key share a single load.
 *
 * The local tier holds values of every space; a space's entries are only ever stored by this class
 * with that space's type, which is why reading one back as `T` is sound.
 */
export class ReadThrough {
  constructor(private readonly deps: ReadThroughDeps) {}

  get<T>(spec: EntrySpec<T>, load: () => Promise<T>): Promise<T> {
    const local = this.peek(spec);
    return local === undefined ? this.fetchOne(spec, load) : Promise.resolve(local);
  }

  /**
   * The local tier's value for `id` in `space`, or `undefined`, counting only a hit: the hot path,
   * no promise, no allocation. A miss is counted by the `load` that follows, once the caller has
   * validated its input.
   */
  hit<T>(space: EntrySpace<T>, id: string): T | undefined {
    const value = this.lookup(space, id);
    if (value !== undefined) this.deps.counters.local.hits += 1;
    return value;
  }

  /** As `hit`, uncounted (see `countLocalHits`). */
  lookup<T>(space: EntrySpace<T>, id: string): T | undefined {
    const now = Date.now();
    return this.localInUse(now) ? this.findLocal(space, id, now) : undefined;
  }

  /**
   * The local tier's value. A hit in the second half of its life is read again from Redis in the
   * background: a key in use stays local instead of costing its next reader a round trip at each
   * expiry, and no value served is older than before (the refreshed entry was read from Redis,
   * which writes invalidate first, when it was stored).
   */
  private findLocal<T>(space: EntrySpace<T>, id: string, now: number): T | undefined {
    const hit = this.deps.local.findIn(space.prefix, id, now);
    if (hit === undefined) return undefined;
    if (!hit.refreshing && this.deps.health.up && now - hit.storedAt >= this.localTtl() / 2) this.refresh(space, id, hit);
    return hit.value as T;
  }

  /**
   * Reads the entry from Redis and stores it anew, unless it was invalidated, replaced or expired
   * meanwhile (`holds`: an invalidation drops the local entry, so a value read before a write is
   * never stored after its invalidation) or Redis restarted. Redis not having it is no error: the
   * entry expires and its next reader loads it.
   */
  private refresh<T>(space: EntrySpace<T>, id: string, hit: LocalHit): void {
    const { health, store, local, counters } = this.deps;
    hit.refreshing = true;
    const epoch = health.epoch;
    const spec = entryOf(space, id);
    store.read([spec.key]).then(
      (read) => {
        const text = read.values[0] ?? null;
        const value = text === null ? undefined : this.decode(spec, text);
        if (value === undefined) {
          counters.redis.misses += 1;
          return;
        }
        counters.redis.hits += 1;
        if (health.up && health.epoch === epoch && local.holds(space.prefix, id, hit)) {
          local.setIn(space.prefix, id, value, this.localTtl());
          counters.local.loads += 1;
        }
      },
      (error: unknown) => this.redisFailed(error),
    );
  }

  countLocalHits(count: number): void {
    this.deps.counters.local.hits += count;
  }

  /** After a local miss (`hit` returned `undefined`): counts it, then Redis, then PostgreSQL. */
  load<T>(spec: EntrySpec<T>, load: () => Promise<T>): Promise<T> {
    if (this.localInUse(Date.now())) this.deps.counters.local.misses += 1;
    return this.fetchOne(spec, load);
  }

  async getMany<T>(specs: readonly EntrySpec<T>[], load: Loader<T>, checkLocal = true): Promise<T[]> {
    const results = new Array<T>(specs.length);
    const pending: Promise<void>[] = [];
    const owned: OwnedLoad<T>[] = [];
    specs.forEach((spec, index) => {
      const local = checkLocal ? this.peek(spec) : undefined;
      if (local !== undefined) {
        results[index] = local;
        return;
      }
      const flight = this.deps.flights.get(spec.key);
      if (flight !== undefined) {
        pending.push((flight.promise as Promise<T>).then((value) => void (results[index] = value)));
        return;
      }
      let settle: OwnedLoad<T>['settle'] = { resolve: () => undefined, reject: () => undefined };
      const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
      owned.push({ index, spec, flight: this.deps.flights.start(spec.key, promise), settle });
    });
    if (owned.length > 0) pending.push(this.loadOwned(owned, load, results));
    // One await over every promise: whichever rejects first is thrown, and the others' rejections
    // are still observed (a joined flight failing after our own load would otherwise be an
    // unhandled rejection, which ends the process).
    await Promise.all(pending);
    return results;
  }

  /** Loads the keys this call owns, settling their flights for the callers that joined them. */
  private async loadOwned<T>(owned: readonly OwnedLoad<T>[], load: Loader<T>, results: T[]): Promise<void> {
    try {
      const values = await this.fetch(owned, load);
      owned.forEach((item, k) => {
        const value = values[k] as T;
        results[item.index] = value;
        item.settle.resolve(value);
      });
    } catch (error) {
      for (const item of owned) item.settle.reject(error);
      throw error;
    }
  }

  /** Redis, then PostgreSQL, for one key the local tier missed (already counted). */
  private async fetchOne<T>(spec: EntrySpec<T>, load: () => Promise<T>): Promise<T> {
    const [value] = await this.getMany([spec], async () => [await load()], false);
    return value as T;
  }

  /** Counts a hit or a miss. */
  private peek<T>(spec: EntrySpec<T>): T | undefined {
    const now = Date.now();
    if (!this.localInUse(now)) return undefined;
    const value = this.findLocal(spec.space, spec.id, now);
    if (value === undefined) this.deps.counters.local.misses += 1;
    else this.deps.counters.local.hits += 1;
    return value;
  }

  /**
   * Whether the local tier may serve now. Redis up: only while every invalidation published more
   * than `localTtlMs` ago is known applied (where that cannot be known, entries live `localTtlMs`
   * instead). Redis down: invalidations are lost, so only with an outage TTL configured.
   */
  private localInUse(now: number): boolean {
    const { local, health, stream, localTtlMs } = this.deps;
    if (!local.enabled) return false;
    if (!health.up) return this.deps.outageLocalTtlMs > 0;
    return !stream.confirmable || stream.confirmedWithin(localTtlMs, now);
  }

  /** How long an entry stored now lives in the local tier (0: not stored). */
  private localTtl(): number {
    const { health, stream } = this.deps;
    if (!health.up) return this.deps.outageLocalTtlMs;
    return stream.confirmable ? this.deps.localMaxAgeMs : this.deps.localTtlMs;
  }

  /** Redis, then one load of what it missed, then the fills: values in the order of `owned`. */
  private async fetch<T>(owned: readonly OwnedLoad<T>[], load: Loader<T>): Promise<T[]> {
    const epoch = this.deps.health.epoch;
    const read = await this.readRedis(owned);
    const values = read.values;
    let raced: ReadonlySet<number> = new Set();
    if (read.missing.length > 0) {
      const loaded = await load(read.missing.map((k) => (owned[k] as OwnedLoad<T>).spec));
      read.missing.forEach((k, j) => (values[k] = loaded[j]));
      const filled = read.missing.filter((k) => cacheable((owned[k] as OwnedLoad<T>).spec, values[k] as T));
      if (filled.length > 0 && read.versions !== undefined && this.deps.health.up && this.deps.health.epoch === epoch) {
        raced = await this.fill(owned, filled, values as T[], read.versions);
      }
    }
    if (this.deps.health.epoch === epoch) this.storeLocally(owned, values as T[], raced);
    return values as T[];
  }

  /** One batched MGET of the entries and their versions; a Redis failure reads as "everything missed, fill nothing". */
  private async readRedis<T>(owned: readonly OwnedLoad<T>[]): Promise<RedisRead<T>> {
    const { health, store, counters } = this.deps;
    const everything = owned.map((_, k) => k);
    if (!health.up) return { values: new Array<T | undefined>(owned.length), missing: everything };
    try {
      const read = await store.read(owned.map((item) => item.spec.key));
      const values = new Array<T | undefined>(owned.length);
      const missing: number[] = [];
      owned.forEach((item, k) => {
        const text = read.values[k] ?? null;
        const value = text === null ? undefined : this.decode(item.spec, text);
        if (value === undefined) {
          counters.redis.misses += 1;
          missing.push(k);
        } else {
          counters.redis.hits += 1;
          values[k] = value;
        }
      });
      return { values, missing, versions: read.versions };
    } catch (error) {
      this.redisFailed(error);
      return { values: new Array<T | undefined>(owned.length), missing: everything };
    }
  }

  /** Writes loaded values to Redis unless a write raced the load; returns the raced ones (indexes into `owned`). */
  private async fill<T>(
    owned: readonly OwnedLoad<T>[],
    missing: readonly number[],
    values: readonly T[],
    versions: readonly (string | null)[],
  ): Promise<Set<number>> {
    const raced = new Set<number>();
    try {
      const entries = missing.map((k) => {
        const { spec } = owned[k] as OwnedLoad<T>;
        return { key: spec.key, text: spec.space.codec.encode(values[k] as T), ttlMs: spec.space.ttlMs, version: versions[k] ?? null };
      });
      const stored = await this.deps.store.fill(entries);
      stored.forEach((ok, j) => {
        if (ok) this.deps.counters.redis.loads += 1;
        else raced.add(missing[j] as number);
      });
    } catch (error) {
      this.redisFailed(error);
      // Not knowing whether a write raced, keep these out of the local tier too.
      for (const k of missing) raced.add(k);
    }
    return raced;
  }

  /** Keeps the values in the local tier, but not those a write raced or an invalidation made stale. */
  private storeLocally<T>(owned: readonly OwnedLoad<T>[], values: readonly T[], raced: ReadonlySet<number>): void {
    const ttl = this.localTtl();
    if (!this.deps.local.enabled || ttl <= 0) return;
    owned.forEach((item, k) => {
      if (raced.has(k) || item.flight.stale || !cacheable(item.spec, values[k] as T)) return;
      this.deps.local.setIn(item.spec.space.prefix, item.spec.id, values[k], ttl);
      this.deps.counters.local.loads += 1;
    });
  }

  private decode<T>(spec: EntrySpec<T>, text: string): T | undefined {
    try {
      const value = spec.space.codec.decode(text);
      return cacheable(spec, value) ? value : undefined;
    } catch {
      this.deps.counters.redis.errors += 1;
      return undefined;
    }
  }

  private redisFailed(error: unknown): void {
    this.deps.counters.redis.errors += 1;
    this.deps.health.fail(error);
  }
}

/** Whether `value` may be kept in a tier (see `EntrySpace.cachesNull`). */
function cacheable<T>(spec: EntrySpec<T>, value: T): boolean {
  return value !== null || spec.space.cachesNull;
}
