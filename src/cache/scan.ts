import type Redis from 'ioredis';

/** Walks the keys matching a SCAN pattern in batches (never KEYS, which blocks the server). */
export async function scanKeys(redis: Redis, match: string, onBatch: (keys: string[]) => Promise<void>, count = 1000): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', count);
    cursor = next;
    if (keys.length > 0) await onBatch(keys);
  } while (cursor !== '0');
}

/** Escapes the glob characters of a literal key prefix for a SCAN pattern. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
