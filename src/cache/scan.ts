import type Redis from 'ioredis';
import { isCluster, masterNodes, type RedisConnection } from '../redis';

/**
 * Walks the keys matching a SCAN pattern in batches (never KEYS, which blocks the server), on every
 * master of a cluster in turn. `onBatch` gets the node the keys were found on.
 */
export async function scanKeys(
  redis: RedisConnection,
  match: string,
  onBatch: (keys: string[], node: Redis) => Promise<void>,
  count = 1000,
): Promise<void> {
  for (const node of masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) await onBatch(keys, node);
    } while (cursor !== '0');
  }
}

/**
 * Unlinks keys found on `node` by `scanKeys`; returns how many existed. One command on one node;
 * on a cluster one UNLINK per key in a pipeline (a multi-key command must stay in one slot).
 */
export async function unlinkKeys(redis: RedisConnection, node: Redis, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(redis)) return node.unlink(...keys);
  const pipeline = node.pipeline();
  for (const key of keys) pipeline.unlink(key);
  const results = (await pipeline.exec()) ?? [];
  let removed = 0;
  for (const [error, count] of results) {
    if (error) throw error;
    removed += Number(count);
  }
  return removed;
}

/** Escapes the glob characters of a literal key prefix for a SCAN pattern. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
