import type { Codec } from './codec';
import type { RedisHealth } from './health';
import type { LocalCache } from './local-cache';
import type { RedisStore } from './redis-store';
import type { SingleFlight, Flight } from './single-flight';
import type { CacheCounters } from './stats';

export interface EntrySpec {
  key: string;
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
    return local === undefined ? this.load(spec, load) : Promise.resolve(local);
  }

  /** The local tier's value (`undefined` on a miss), counted. The hot path: no promise, no allocation. */
  peek(key: string): unknown {
    const { local, counters } = this.deps;
    if (!local.enabled || this.localTtl() <= 0) return undefined;
    const value = local.get(key);
    if (value === undefined) counters.local.misses += 1;
    else counters.local.hits += 1;
    return value;
  }

  /** After a local miss: Redis, then PostgreSQL. */
  async load(spec: EntrySpec, load: () => Promise<unknown>): Promise<unknown> {
    const [value] = await this.getMany([spec], async () => [await load()], false);
    return value;
  }

  async getMany(specs: readonly EntrySpec[], load: Loader, checkLocal = true): Promise<unknown[]> {
    const results: unknown[] = new Array(specs.length);
    const joined: Promise<void>[] = [];
    const owned: OwnedLoad[] = [];
    specs.forEach((spec, index) => {
      const local = checkLocal ? this.peek(spec.key) : undefined;
      if (local !== undefined) {
        results[index] = local;
        return;
      }
      const flight = this.deps.flights.get(spec.key);
      if (flight !== undefined) {
        joined.push(flight.promise.then((value) => void (results[index] = value)));
        return;
      }
      let settle!: OwnedLoad['settle'];
      const promise = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
      owned.push({ index, spec, flight: this.deps.flights.start(spec.key, promise), settle });
    });
    if (owned.length > 0) {
      try {
        const values = await this.fetch(owned, load);
        owned.forEach((item, k) => {
          results[item.index] = values[k];
          item.settle.resolve(values[k]);
        });
      } catch (error) {
        for (const item of owned) item.settle.reject(error);
        throw error;
      }
    }
    await Promise.all(joined);
    return results;
  }

  /** What the local tier may serve now: nothing while Redis is down, unless a shortened TTL is configured. */
  private localTtl(): number {
    return this.deps.health.up ? this.deps.localTtlMs : this.deps.outageLocalTtlMs;
  }

  private async fetch(owned: readonly OwnedLoad[], load: Loader): Promise<unknown[]> {
    const { health, store, counters } = this.deps;
    const epoch = health.epoch;
    const values: unknown[] = new Array(owned.length);
    let missing = owned.map((_, k) => k);
    let versions: (string | null)[] | undefined;

    if (health.up) {
      try {
        const read = await store.read(owned.map((item) => item.spec.key));
        versions = read.versions;
        missing = [];
        read.texts.forEach((text, k) => {
          const value = text === null ? undefined : this.decode(owned[k]!.spec, text);
          if (value === undefined) {
            counters.redis.misses += 1;
            missing.push(k);
          } else {
            counters.redis.hits += 1;
            values[k] = value;
          }
        });
      } catch (error) {
        this.redisFailed(error);
      }
    }

    const raced = new Set<number>();
    if (missing.length > 0) {
      const loaded = await load(missing.map((k) => owned[k]!.spec));
      missing.forEach((k, j) => (values[k] = loaded[j]));
      if (versions !== undefined && health.up && health.epoch === epoch) {
        await this.fill(owned, missing, values, versions, raced);
      }
    }

    owned.forEach((item, k) => {
      if (raced.has(k) || item.flight.stale || health.epoch !== epoch) return;
      const ttl = this.localTtl();
      if (!this.deps.local.enabled || ttl <= 0) return;
      this.deps.local.set(item.spec.key, values[k], ttl);
      counters.local.loads += 1;
    });
    return values;
  }

  /** Writes loaded values to Redis unless a write raced the load; marks the raced ones. */
  private async fill(owned: readonly OwnedLoad[], missing: readonly number[], values: unknown[], versions: (string | null)[], raced: Set<number>): Promise<void> {
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
