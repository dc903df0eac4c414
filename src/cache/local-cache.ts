/** An entry as a hit sees it (`findIn`). */
export interface LocalHit {
  readonly value: unknown;
  /** When it was stored: its age tells a reader when to read it again ahead of its expiry. */
  readonly storedAt: number;
  /** A background read of this entry is under way (set by the reader that started it). */
  refreshing: boolean;
}

interface LocalEntry extends LocalHit {
  expiresAt: number;
  /** When the entry was last moved to the recent end. */
  promotedAt: number;
  space: string;
  id: string;
}

/** A hit moves its entry to the recent end at most this often: re-inserting on every hit costs as much as the lookup. */
const PROMOTE_AFTER_MS = 100;

/**
 * The in-process tier: an LRU bounded by entry count, each entry living `ttlMs` at most. A key is
 * a space (everything up to its last `:`) and an ID: entries are found by space then ID, so a hit
 * (`getIn`) hashes the caller's ID string, whose hash V8 keeps, instead of building and hashing a
 * full key on every read. Recency is one insertion-ordered Set of entries (a hit moves its entry to
 * the end, up to `PROMOTE_AFTER_MS` of slack; the first entry is the least recently used).
 */
export class LocalCache {
  private readonly spaces = new Map<string, Map<string, LocalEntry>>();
  private readonly recency = new Set<LocalEntry>();

  constructor(private readonly maxEntries: number) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.recency.size;
  }

  /** The value, or `undefined` when absent or expired. */
  get(key: string, now = Date.now()): unknown {
    const split = splitPoint(key);
    return this.getIn(key.slice(0, split), key.slice(split), now);
  }

  /** `get(space + id)` without building the key: the hot path. */
  getIn(space: string, id: string, now = Date.now()): unknown {
    return this.findIn(space, id, now)?.value;
  }

  /** The live entry for `space + id`, or `undefined`. */
  findIn(space: string, id: string, now = Date.now()): LocalHit | undefined {
    const entry = this.spaces.get(space)?.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.remove(entry);
      return undefined;
    }
    if (now - entry.promotedAt > PROMOTE_AFTER_MS) {
      this.recency.delete(entry);
      this.recency.add(entry);
      entry.promotedAt = now;
    }
    return entry;
  }

  /** Whether `hit` is still the entry of `space + id`: not invalidated, expired or replaced since it was found. */
  holds(space: string, id: string, hit: LocalHit): boolean {
    return this.spaces.get(space)?.get(id) === hit;
  }

  set(key: string, value: unknown, ttlMs: number, now = Date.now()): void {
    const split = splitPoint(key);
    this.setIn(key.slice(0, split), key.slice(split), value, ttlMs, now);
  }

  /** `set(space + id)`: stores the caller's strings, which later lookups compare fastest (often the same string). */
  setIn(space: string, id: string, value: unknown, ttlMs: number, now = Date.now()): void {
    if (!this.enabled || ttlMs <= 0) return;
    let entries = this.spaces.get(space);
    if (entries === undefined) {
      entries = new Map();
      this.spaces.set(space, entries);
    }
    const previous = entries.get(id);
    if (previous !== undefined) this.recency.delete(previous);
    const entry: LocalEntry = { value, storedAt: now, refreshing: false, expiresAt: now + ttlMs, promotedAt: now, space, id };
    entries.set(id, entry);
    this.recency.add(entry);
    if (this.recency.size > this.maxEntries) {
      const oldest = this.recency.values().next();
      if (oldest.done !== true) this.remove(oldest.value);
    }
  }

  /** True when an entry was there. */
  delete(key: string): boolean {
    const split = splitPoint(key);
    const entry = this.spaces.get(key.slice(0, split))?.get(key.slice(split));
    if (entry === undefined) return false;
    this.remove(entry);
    return true;
  }

  /** Drops every entry whose key starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let dropped = 0;
    for (const [space, entries] of this.spaces) {
      // Keys are space + id: either the whole space matches, or the prefix reaches into the IDs.
      const idPrefix = space.startsWith(prefix) ? '' : prefix.startsWith(space) ? prefix.slice(space.length) : undefined;
      if (idPrefix === undefined) continue;
      for (const entry of entries.values()) {
        if (entry.id.startsWith(idPrefix)) {
          this.remove(entry);
          dropped += 1;
        }
      }
    }
    return dropped;
  }

  clear(): void {
    this.spaces.clear();
    this.recency.clear();
  }

  private remove(entry: LocalEntry): void {
    this.spaces.get(entry.space)?.delete(entry.id);
    this.recency.delete(entry);
  }
}

/** Where the ID starts: after the key's last `:` (a key without one is all ID). */
function splitPoint(key: string): number {
  return key.lastIndexOf(':') + 1;
}
