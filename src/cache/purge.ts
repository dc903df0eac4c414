import type { RedisConnection } from '../redis';
import { CACHE_SCHEMA_VERSION } from './keys';
import { globLiteral, scanKeys, unlinkKeys } from './scan';

export interface PurgeResult {
  /** Cache keys looked at (`<prefix>:v<n>:…`). */
  scanned: number;
  /** Removed: of another schema version, or without a TTL (every current entry has one). */
  removed: number;
}

/**
 * Maintenance: drops the cache keys that would otherwise never go away. Touches only keys shaped
 * `<prefix>:v<digits>:…`, never BullMQ's `<prefix>:<queue>:…` (so no queue may be named `v<digits>`).
 * Uses SCAN and UNLINK, so it never blocks Redis; on a cluster, on every master.
 */
export async function purgeStaleCacheEntries(redis: RedisConnection, prefix: string): Promise<PurgeResult> {
  const shape = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:v(\\d+):`);
  const result: PurgeResult = { scanned: 0, removed: 0 };
  await scanKeys(redis, `${globLiteral(prefix)}:v*`, async (keys, node) => {
    const cacheKeys = keys.filter((key) => shape.test(key));
    result.scanned += cacheKeys.length;
    const current = cacheKeys.filter((key) => Number(shape.exec(key)?.[1]) === CACHE_SCHEMA_VERSION);
    const stale = cacheKeys.filter((key) => Number(shape.exec(key)?.[1]) !== CACHE_SCHEMA_VERSION);
    if (current.length > 0) {
      const pipeline = node.pipeline();
      for (const key of current) pipeline.pttl(key);
      const ttls = (await pipeline.exec()) ?? [];
      current.forEach((key, i) => {
        if (ttls[i]?.[1] === -1) stale.push(key);
      });
    }
    result.removed += await unlinkKeys(redis, node, stale);
  });
  return result;
}
