import Redis from 'ioredis';
import { CachedDatabase, purgeStaleCacheEntries } from '../../src/cache';
import { LocalCache } from '../../src/cache/local-cache';
import { globLiteral, scanKeys } from '../../src/cache/scan';
import { connectDatabase } from '../../src/connect';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { TEST_CONFIG } from '../helpers/config';

let database: TestDatabase;
let redis: Redis;
const prefix = testPrefix('cachemaint');
const purgePrefix = testPrefix('cachepurge');

beforeAll(async () => {
  database = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  for (const used of [prefix, purgePrefix]) {
    await scanKeys(redis, `${globLiteral(used)}:*`, async (keys) => void (await redis.unlink(...keys)));
  }
  redis.disconnect();
  await database.drop();
});

describe('connectDatabase', () => {
  it('returns the cached API by default, the plain one with cache: false', async () => {
    const cached = await connectDatabase({
      config: TEST_CONFIG,
      databaseUrl: database.url,
      redis: TEST_REDIS_URL,
      cachePrefix: prefix,
      cache: { localTtlMs: 500 },
    });
    const plain = await connectDatabase({ config: TEST_CONFIG, databaseUrl: database.url, cache: false });
    try {
      expect(cached).toBeInstanceOf(CachedDatabase);
      expect(cached.getCacheStats().enabled).toBe(true);
      expect(plain.getCacheStats().enabled).toBe(false);
      expect(await cached.hasAttribute('user', '123456789012345678', 'BETA')).toBe(false);
      expect(await redis.exists(`${prefix}:v2:attrs:user:123456789012345678`)).toBe(1);
    } finally {
      await Promise.all([cached.close(), plain.close()]);
    }
  });
});

describe('purgeStaleCacheEntries', () => {
  it('removes old-schema keys and keys without a TTL, and nothing outside the cache namespace', async () => {
    await redis.set(`${purgePrefix}:v1:attrs:user:1`, '{}', 'EX', 60);
    await redis.set(`${purgePrefix}:v2:attrs:user:2`, '{}');
    await redis.set(`${purgePrefix}:v2:attrs:user:3`, '{}', 'EX', 60);
    await redis.set(`${purgePrefix}:v2:ver:{${purgePrefix}:v2:attrs:user:3}`, '1', 'EX', 60);
    await redis.set(`${purgePrefix}:jobs:1`, 'bullmq-like, no TTL');
    expect(await purgeStaleCacheEntries(redis, purgePrefix)).toEqual({ scanned: 4, removed: 2 });
    const left: string[] = [];
    await scanKeys(redis, `${globLiteral(purgePrefix)}:*`, async (keys) => void left.push(...keys));
    expect(left.sort()).toEqual([
      `${purgePrefix}:jobs:1`,
      `${purgePrefix}:v2:attrs:user:3`,
      `${purgePrefix}:v2:ver:{${purgePrefix}:v2:attrs:user:3}`,
    ]);
  });
});

describe('LocalCache', () => {
  it('evicts the least recently used entry past its bound and expires entries after their TTL', () => {
    const cache = new LocalCache(2);
    cache.set('a', 1, 1000, 0);
    cache.set('b', 2, 1000, 0);
    expect(cache.get('a', 101)).toBe(1); // a is now the most recent
    cache.set('c', 3, 1000, 102);
    expect(cache.get('b', 103)).toBeUndefined();
    expect(cache.get('a', 103)).toBe(1);
    expect(cache.get('c', 1102)).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
