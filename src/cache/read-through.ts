import type { Codec } from './codec';
import type { RedisHealth } from './health';
import type { LocalCache } from './local-cache';
import type { RedisStore } from './redis-store';
import type { SingleFlight, Flight } from './single-flight';
import type { CacheCounters } from './stats';

export interface EntrySpec {
  /** `space + id`, as `CacheKeys` builds it. */
  key: string;
  /** The key's two parts, for the local tier (`LocalCache.getIn`). */
  space: string;
  id: string;
  codec: Codec<unknown>;
  ttlMs: number;
}

/** Loads, from PostgreSQL, the entries that missed both tiers; returns their values in the same order. */
export type Loader = (missing: readonly EntrySpec[]) => Promise<unknown[]>;

export interface ReadThroughDeps {
  local: LocalCache;
  flights: SingleFlight;
  store: RedisStore;
  health: RedisHealth;
  counters: CacheCounters;
  localTtlMs: number;
  /** Local TTL while Redis is not up; 0 bypasses the local tier then. */
  outageLocalTtlMs: number;
}

interface OwnedLoad {
  index: number;
  spec: EntrySpec;
  flight: Flight;
  settle: { resolve(value: unknown): void; reject(error: unknown): void };
}

/**
 * local tier → Redis → PostgreSQL. Values it returns are shared with the local tier: callers copy
 * before handing them out. Misses of several keys cost one MGET and one load; concurrent misses of
 * one key share a single load.
 */
export class ReadThrough {
  constructor(private readonly deps: ReadThroughDeps) {}

  get(spec: EntrySpec, load: () => Promise<unknown>): Promise<unknown> {
    const local = this.peek(spec.key);
    return local === undefined ? this.fetchOne(spec, load) : Promise.resolve(local);
  }

  /**
   * The local tier's value for `space + id` (see `LocalCache.getIn`), or `undefined`, counting only a
   * hit: the hot path, no promise, no allocation. A miss is counted by the `load` that follows, once
   * the caller has validated its input.
   */
  hit(space: string, id: string): unknown {
    const value = this.lookup(space, id);
    if (value !== undefined) this.deps.counters.local.hits += 1;
    return value;
  }

  /** As `hit`, uncounted (see `countLocalHits`). */
  lookup(space: string, id: string): unknown {
    return this.localInUse() ? this.deps.local.getIn(space, id) : undefined;
  }

  countLocalHits(count: number): void {
    this.deps.counters.local.hits += count;
  }

  /** After a local miss (`hit` returned `undefined`): counts it, then Redis, then PostgreSQL. */
  load(spec: EntrySpec, load: () => Promise<unknown>): Promise<unknown> {
    if (this.localInUse()) this.deps.counters.local.misses += 1;
    return this.fetchOne(spec, load);
  }

  async getMany(specs: readonly EntrySpec[], load: Loader, checkLocal = true): Promise<unknown[]> {
    const results: unknown[] = new Array(specs.length);
    const pending: Promise<void>[] = [];
    const owned: OwnedLoad[] = [];
    for (let index = 0; index < specs.length; index += 1) {
      const spec = specs[index]!;
      const local = checkLocal ? this.peek(spec.key) : undefined;
      if (local !== undefined) {
        results[index] = local;
        continue;
      }
      const flight = this.deps.flights.get(spec.key);
      if (flight !== undefined) {
        pending.push(flight.promise.then((value) => void (results[index] = value)));
        continue;
      }
      let settle!: OwnedLoad['settle'];
      const promise = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
      owned.push({ index, spec, flight: this.deps.flights.start(spec.key, promise), settle });
    }
    if (owned.length > 0) pending.push(this.loadOwned(owned, load, results));
    // One await over every promise: whichever rejects first is thrown, and the others' rejections
    // are still observed (a joined flight failing after our own load would otherwise be an
    // unhandled rejection, which ends the process).
    await Promise.all(pending);
    return results;
  }

  /** Loads the keys this call owns, settling their flights for the callers that joined them. */
  private async loadOwned(owned: readonly OwnedLoad[], load: Loader, results: unknown[]): Promise<void> {
    try {
      const values = await this.fetch(owned, load);
      for (let k = 0; k < owned.length; k += 1) {
        const item = owned[k]!;
        results[item.index] = values[k];
        item.settle.resolve(values[k]);
      }
    } catch (error) {
      for (const item of owned) item.settle.reject(error);
      throw error;
    }
  }

  /** Redis, then PostgreSQL, for one key the local tier missed (already counted). */
  private async fetchOne(spec: EntrySpec, load: () => Promise<unknown>): Promise<unknown> {
    const [value] = await this.getMany([spec], async () => [await load()], false);
    return value;
  }

  /** Counts a hit or a miss. */
  private peek(key: string): unknown {
    if (!this.localInUse()) return undefined;
    const value = this.deps.local.get(key);
    if (value === undefined) this.deps.counters.local.misses += 1;
    else this.deps.counters.local.hits += 1;
    return value;
  }

  private localInUse(): boolean {
    return this.deps.local.enabled && this.localTtl() > 0;
  }

  /** What the local tier may serve now: nothing while Redis is down, unless a shortened TTL is configured. */
  private localTtl(): number {
    return this.deps.health.up ? this.deps.localTtlMs : this.deps.outageLocalTtlMs;
  }

  private async fetch(owned: readonly OwnedLoad[], load: Loader): Promise<unknown[]> {
    const { health, store, counters } = this.deps;
    const epoch = health.epoch;
    const values: unknown[] = new Array(owned.length);
    let missing: number[] = [];
    let versions: (string | null)[] | undefined;

    if (health.up) {
      try {
        const keys = owned.map((item) => item.spec.key);
        const read = await store.read(keys);
        for (let k = 0; k < owned.length; k += 1) {
          const text = read[k] ?? null;
          const value = text === null ? undefined : this.decode(owned[k]!.spec, text);
          if (value === undefined) {
            counters.redis.misses += 1;
            missing.push(k);
          } else {
            counters.redis.hits += 1;
            values[k] = value;
          }
        }
        // `read` holds the entries, then their versions (see RedisStore.read): the fill needs them.
        if (missing.length > 0) versions = read.slice(keys.length);
      } catch (error) {
        this.redisFailed(error);
        versions = undefined;
        missing = owned.map((_, k) => k);
      }
    } else {
      missing = owned.map((_, k) => k);
    }

    let raced: Set<number> | undefined;
    if (missing.length > 0) {
      const loaded = await load(missing.map((k) => owned[k]!.spec));
      missing.forEach((k, j) => (values[k] = loaded[j]));
      if (versions !== undefined && health.up && health.epoch === epoch) {
        raced = await this.fill(owned, missing, values, versions);
      }
    }

    if (health.epoch !== epoch) return values;
    for (let k = 0; k < owned.length; k += 1) {
      const item = owned[k]!;
      if (raced?.has(k) === true || item.flight.stale) continue;
      const ttl = this.localTtl();
      if (!this.deps.local.enabled || ttl <= 0) break;
      this.deps.local.setIn(item.spec.space, item.spec.id, values[k], ttl);
      counters.local.loads += 1;
    }
    return values;
  }

  /** Writes loaded values to Redis unless a write raced the load; returns the raced ones (indexes into `owned`). */
  private async fill(owned: readonly OwnedLoad[], missing: readonly number[], values: unknown[], versions: (string | null)[]): Promise<Set<number>> {
    const raced = new Set<number>();
    try {
      const stored = await this.deps.store.fill(
        missing.map((k) => {
          const { spec } = owned[k]!;
          return { key: spec.key, text: spec.codec.encode(values[k]), ttlMs: spec.ttlMs, version: versions[k] ?? null };
        }),
      );
      stored.forEach((ok, j) => {
        if (ok) this.deps.counters.redis.loads += 1;
        else raced.add(missing[j]!);
      });
    } catch (error) {
      this.redisFailed(error);
      // Not knowing whether a write raced, keep these out of the local tier too.
      for (const k of missing) raced.add(k);
    }
    return raced;
  }

  private decode(spec: EntrySpec, text: string): unknown {
    try {
      return spec.codec.decode(text);
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
