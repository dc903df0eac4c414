import Redis from 'ioredis';
import { globLiteral, scanKeys } from '../../src/cache/scan';

/** The servers the tests run against; each test makes its own database and key prefix on them. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A short random suffix that keeps parallel tests apart. */
export function uniqueSuffix(): string {
  return `${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** A Redis key / BullMQ prefix of this test's own. */
export function testPrefix(label: string): string {
  return `moddy_test_${label}_${uniqueSuffix()}`;
}

/** Deletes every Redis key under a test's prefix (what its processes cached). */
export async function deleteTestKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await scanKeys(redis, `${globLiteral(prefix)}:*`, async (keys) => void (await redis.unlink(...keys)));
  } finally {
    await redis.quit();
  }
}
