import type { CacheStats, TierStats } from '../db/api';

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
