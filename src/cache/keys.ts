import type { EntityType } from '../attributes/registry';

/** Bumped when the cached shapes change: old entries are then never read, and `purgeStaleCacheEntries` removes them. */
export const CACHE_SCHEMA_VERSION = 2;

export type CacheKind = 'attrs' | 'record' | 'lookup';

/**
 * The cache's Redis names: `<prefix>:v<schema>:<kind>:<entity>:<id>` for entries,
 * `<prefix>:v<schema>:ver:{<entry key>}` for their write versions (the race guard). The version's
 * hash tag is the whole entry key, which has no braces, so on a Redis Cluster both hash to the same
 * slot and every script over an entry and its version stays in one slot (docs/redis.md).
 */
export class CacheKeys {
  /** Every key of this schema version starts with it. */
  readonly namespace: string;
  readonly channel: string;
  /** The Redis `run_id` the entries were last checked against, and the lock of the flush when it changes (`redis-epoch.ts`). */
  readonly epoch: string;
  readonly epochLock: string;
  /** Built once: the local tier finds an entry by its space and ID, without building its key. */
  private readonly spaces: Readonly<Record<CacheKind, Readonly<Record<EntityType, string>>>>;

  constructor(readonly prefix: string) {
    this.namespace = `${prefix}:v${CACHE_SCHEMA_VERSION}:`;
    this.channel = `${this.namespace}invalidations`;
    this.epoch = `${this.namespace}redis-epoch`;
    this.epochLock = `${this.namespace}redis-epoch:lock`;
    const spacesOf = (kind: CacheKind) => ({ user: `${this.namespace}${kind}:user:`, guild: `${this.namespace}${kind}:guild:` });
    this.spaces = { attrs: spacesOf('attrs'), record: spacesOf('record'), lookup: spacesOf('lookup') };
  }

  /** An entry's key is its space followed by the ID. */
  space(kind: CacheKind, entityType: EntityType): string {
    return this.spaces[kind][entityType];
  }

  attributes(entityType: EntityType, id: string): string {
    return this.space('attrs', entityType) + id;
  }

  record(entityType: EntityType, id: string): string {
    return this.space('record', entityType) + id;
  }

  guildLookup(id: string): string {
    return this.space('lookup', 'guild') + id;
  }

  /** All entries of one kind, for a wildcard invalidation. */
  kindPattern(kind: CacheKind): string {
    return `${this.namespace}${kind}:`;
  }

  version(key: string): string {
    return `${this.namespace}ver:{${key}}`;
  }
}
