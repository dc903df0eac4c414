import { randomUUID } from 'node:crypto';
import type { RedisHealth } from './health';
import { decodeInvalidation, encodeInvalidation } from './invalidation-bus';
import type { CacheKeys } from './keys';
import type { LocalCache } from './local-cache';
import type { RedisStore } from './redis-store';
import type { SingleFlight } from './single-flight';
import type { CacheCounters } from './stats';

export interface InvalidatorDeps {
  keys: CacheKeys;
  local: LocalCache;
  flights: SingleFlight;
  store: RedisStore;
  health: RedisHealth;
  counters: CacheCounters;
  /** Keys remembered during an outage before the whole namespace is flushed at recovery instead. */
  maxPending: number;
}

const ENTRY_KINDS = ['attrs', 'record', 'lookup'] as const;

/**
 * Runs after a write committed to PostgreSQL: drops the keys in this process, then in Redis
 * (bumping their versions) and announces them to every process, in one round trip. Keys that could
 * not be invalidated because Redis was away are replayed before Redis is used again.
 */
export class Invalidator {
  private readonly origin = randomUUID();
  private readonly pending = new Set<string>();
  private overflowed = false;

  constructor(private readonly deps: InvalidatorDeps) {}

  /**
   * Redis first, then this process: a local load that read Redis before the deletion has then
   * either finished (and its entry is dropped here) or is marked stale here (and stores nothing).
   */
  async invalidate(keys: readonly string[]): Promise<void> {
    await this.inRedis(keys, () => this.deps.store.invalidate(keys, this.message(keys)));
    for (const key of keys) this.dropLocal(key);
  }

  /** Drops every entry starting with `prefix` (a maintenance operation: it scans Redis). */
  async invalidatePrefix(prefix: string): Promise<void> {
    await this.inRedis([], () => this.deps.store.invalidatePrefix(prefix, this.message([`${prefix}*`])));
    this.dropLocalPrefix(prefix);
  }

  /** Applies a message heard on the bus (another process wrote). */
  apply(message: string): void {
    const { origin, entries } = decodeInvalidation(message);
    if (origin === this.origin) return;
    for (const entry of entries) {
      if (!entry.startsWith(this.deps.keys.namespace)) {
        this.deps.counters.local.errors += 1;
      } else if (entry.endsWith('*')) {
        this.dropLocalPrefix(entry.slice(0, -1));
      } else {
        this.dropLocal(entry);
      }
    }
  }

  /** Replays the invalidations lost during an outage; throws (keeping Redis down) if Redis fails again. */
  async replay(): Promise<void> {
    const { store, keys } = this.deps;
    if (this.overflowed) {
      for (const kind of ENTRY_KINDS) await store.invalidatePrefix(keys.kindPattern(kind), this.message([`${keys.kindPattern(kind)}*`]));
      this.overflowed = false;
      this.pending.clear();
      return;
    }
    const batch = [...this.pending];
    for (let start = 0; start < batch.length; start += 500) {
      const chunk = batch.slice(start, start + 500);
      await store.invalidate(chunk, this.message(chunk));
      for (const key of chunk) this.pending.delete(key);
    }
  }

  private message(entries: readonly string[]): string {
    return encodeInvalidation(this.origin, entries);
  }

  private async inRedis(keys: readonly string[], run: () => Promise<void>): Promise<void> {
    const { health, counters } = this.deps;
    if (health.up) {
      try {
        await run();
        counters.redis.invalidations += keys.length;
        return;
      } catch (error) {
        counters.redis.errors += 1;
        health.fail(error);
      }
    }
    this.remember(keys);
  }

  /** No keys = a prefix invalidation: only a full flush at recovery covers it. */
  private remember(keys: readonly string[]): void {
    if (keys.length === 0) this.overflowed = true;
    for (const key of keys) {
      if (this.pending.size >= this.deps.maxPending) {
        this.overflowed = true;
        return;
      }
      this.pending.add(key);
    }
  }

  private dropLocal(key: string): void {
    this.deps.flights.invalidate(key);
    if (this.deps.local.delete(key)) this.deps.counters.local.invalidations += 1;
  }

  private dropLocalPrefix(prefix: string): void {
    this.deps.flights.invalidatePrefix(prefix);
    this.deps.counters.local.invalidations += this.deps.local.deletePrefix(prefix);
  }
}
