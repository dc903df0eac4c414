import type { EntityType } from '../attributes/registry';

/** Bumped when the cached shapes change: old entries are then never read, and `purgeStaleCacheEntries` removes them. */
export const CACHE_SCHEMA_VERSION = 1;

export type CacheKind = 'attrs' | 'record' | 'lookup';

/**
 * The cache's Redis names: `<prefix>:v<schema>:<kind>:<entity>:<id>` for entries,
 * `<prefix>:v<schema>:ver:<entry key>` for their write versions (the race guard).
 */
export class CacheKeys {
  /** Every key of this schema version starts with it. */
  readonly namespace: string;
  readonly channel: string;

  constructor(readonly prefix: string) {
    this.namespace = `${prefix}:v${CACHE_SCHEMA_VERSION}:`;
    this.channel = `${this.namespace}invalidations`;
  }

  attributes(entityType: EntityType, id: string): string {
    return `${this.namespace}attrs:${entityType}:${id}`;
  }

  record(entityType: EntityType, id: string): string {
    return `${this.namespace}record:${entityType}:${id}`;
  }

  guildLookup(id: string): string {
    return `${this.namespace}lookup:guild:${id}`;
  }

  /** All entries of one kind, for a wildcard invalidation. */
  kindPattern(kind: CacheKind): string {
    return `${this.namespace}${kind}:`;
  }

  version(key: string): string {
    return `${this.namespace}ver:${key.slice(this.namespace.length)}`;
  }
}
