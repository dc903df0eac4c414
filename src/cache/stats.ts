/** Counters of one cache tier. */
export interface TierStats {
  hits: number;
  misses: number;
  loads: number;
  invalidations: number;
  errors: number;
}

export interface CacheStats {
  enabled: boolean;
  local: TierStats;
  redis: TierStats;
  /** Reads that reached PostgreSQL. */
  database: { loads: number };
}

function emptyTier(): TierStats {
  return { hits: 0, misses: 0, loads: 0, invalidations: 0, errors: 0 };
}

/**
 * Counters of the local and Redis tiers. Meaning of `loads`: entries stored in that tier;
 * `invalidations`: entries dropped (local) or keys invalidated by this process (Redis);
 * `errors`: failed Redis commands, undecodable entries or malformed invalidation messages.
 */
export class CacheCounters {
  readonly local = emptyTier();
  readonly redis = emptyTier();

  snapshot(databaseLoads: number): CacheStats {
    return { enabled: true, local: { ...this.local }, redis: { ...this.redis }, database: { loads: databaseLoads } };
  }
}
