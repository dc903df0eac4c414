interface LocalEntry {
  value: unknown;
  expiresAt: number;
  /** When the entry was last moved to the recent end. */
  promotedAt: number;
}

/** A hit moves its entry to the recent end at most this often: re-inserting on every hit costs as much as the lookup. */
const PROMOTE_AFTER_MS = 100;

/**
 * The in-process tier: a Map kept in recency order (a hit moves the entry to the end, the first
 * entry is the least recently used, up to `PROMOTE_AFTER_MS` of slack), bounded by entry count,
 * each entry living `ttlMs` at most.
 */
export class LocalCache {
  private readonly entries = new Map<string, LocalEntry>();

  constructor(private readonly maxEntries: number) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, or `undefined` when absent or expired. */
  get(key: string, now = Date.now()): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    if (now - entry.promotedAt > PROMOTE_AFTER_MS) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      entry.promotedAt = now;
    }
    return entry.value;
  }

  set(key: string, value: unknown, ttlMs: number, now = Date.now()): void {
    if (!this.enabled || ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + ttlMs, promotedAt: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** True when an entry was there. */
  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let dropped = 0;
    for (const key of this.entries.keys()) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  clear(): void {
    this.entries.clear();
  }
}
