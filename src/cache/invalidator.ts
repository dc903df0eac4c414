import { randomUUID } from 'node:crypto';
import type { CacheLogger, RedisHealth } from './health';
import type { InvalidationLogStore } from './invalidation-log';
import { decodeInvalidation, encodeInvalidation } from './invalidation-bus';
import type { CacheKeys } from './keys';
import type { LocalCache } from './local-cache';
import type { RedisStore } from './redis-store';
import type { SingleFlight } from './single-flight';
import { TurnBatch } from '../core/turn-batch';
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
  /** Where invalidations that could not reach Redis are logged for the other processes; none: memory only. */
  log?: InvalidationLogStore;
  logger: CacheLogger;
}

const ENTRY_KINDS = ['attrs', 'record', 'lookup'] as const;

/** Keys per batched invalidation at most. */
const MAX_BATCH_KEYS = 256;

/**
 * Runs after a write committed to PostgreSQL: drops the keys in this process, then in Redis
 * (bumping their versions) and announces them to every process, in one round trip. Keys that could
 * not be invalidated because Redis was away are replayed before Redis is used again, and logged in
 * PostgreSQL so that processes that still reach Redis invalidate them meanwhile.
 */
export class Invalidator {
  /** Signs this process's messages: it ignores its own on arrival (it dropped those entries already). */
  readonly origin = randomUUID();
  private readonly pending = new Set<string>();
  private overflowed = false;
  /** The invalidations of one event-loop turn (the first-seen users of one batched load, say): one script call, one message to every process. */
  private readonly batch = new TurnBatch<readonly string[], void>({
    send: async (requests) => {
      const keys = [...new Set(requests.flat())];
      await this.deps.store.invalidate(keys, this.message(keys));
      return requests.map(() => undefined);
    },
    weightOf: (keys) => keys.length,
    maxWeight: MAX_BATCH_KEYS,
  });

  constructor(private readonly deps: InvalidatorDeps) {}

  /**
   * Redis first, then this process: a local load that read Redis before the deletion has then
   * either finished (and its entry is dropped here) or is marked stale here (and stores nothing).
   */
  async invalidate(keys: readonly string[]): Promise<void> {
    await this.inRedis(keys, () => this.batch.submit(keys));
    for (const key of keys) this.dropLocal(key);
  }

  /** Drops every entry starting with `prefix` (a maintenance operation: it scans Redis). */
  async invalidatePrefix(prefix: string): Promise<void> {
    await this.inRedis([], () => this.deps.store.invalidatePrefix(prefix, this.message([`${prefix}*`])), [`${prefix}*`]);
    this.dropLocalPrefix(prefix);
  }

  /**
   * Applies a row of the invalidation log (another process could not reach Redis): in Redis when it
   * is up, and here. False when Redis did not take it: the row is applied again at the next read.
   */
  async applyLogged(entries: readonly string[]): Promise<boolean> {
    const own = entries.filter((entry) => entry.startsWith(this.deps.keys.namespace));
    const keys = own.filter((entry) => !entry.endsWith('*'));
    const prefixes = own.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
    for (const key of keys) this.dropLocal(key);
    for (const prefix of prefixes) this.dropLocalPrefix(prefix);
    if (!this.deps.health.up) return false;
    try {
      if (keys.length > 0) await this.deps.store.invalidate(keys, this.message(keys));
      for (const prefix of prefixes) await this.deps.store.invalidatePrefix(prefix, this.message([`${prefix}*`]));
      this.deps.counters.redis.invalidations += keys.length;
      return true;
    } catch (error) {
      this.deps.counters.redis.errors += 1;
      this.deps.health.fail(error);
      return false;
    }
  }

  /** Deletes every entry of the namespace (versions stay: they still guard fills) and tells every process: one walk of the keyspace. */
  async flushAll(): Promise<void> {
    const { store, keys } = this.deps;
    const prefixes = ENTRY_KINDS.map((kind) => keys.kindPattern(kind));
    await store.invalidatePrefixes(keys.namespace, prefixes, this.message(prefixes.map((prefix) => `${prefix}*`)));
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
    const { store } = this.deps;
    if (this.overflowed) {
      await this.flushAll();
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

  /** `logged`: what the log row says (the keys, or a prefix entry ending in `*`). */
  private async inRedis(keys: readonly string[], run: () => Promise<void>, logged: readonly string[] = keys): Promise<void> {
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
    await this.appendToLog(logged);
  }

  private async appendToLog(entries: readonly string[]): Promise<void> {
    if (this.deps.log === undefined || entries.length === 0) return;
    try {
      await this.deps.log.append(entries);
    } catch (error) {
      // Still replayed from memory when Redis is back; only the other processes' bound is lost.
      this.deps.logger.warn(
        { err: error instanceof Error ? error.message : String(error), keys: entries.length },
        'cache: invalidation could not be logged in PostgreSQL either',
      );
    }
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
