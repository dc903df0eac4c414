import { Client } from 'pg';
import Redis from 'ioredis';
import { TEST_RUN_ENV } from '../helpers/production-build';
import { TEST_POSTGRES_URL, TEST_REDIS_URL, uniqueSuffix } from '../helpers/services';

/** Fails fast, with a clear message, when the services the tests need are not answering. */
export default async function globalSetup(): Promise<void> {
  // Workers start after this and inherit it: suites of one run share one production build.
  process.env[TEST_RUN_ENV] = uniqueSuffix();
  const pg = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not answering at ${TEST_POSTGRES_URL} (start it: see README): ${String(error)}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not answering at ${TEST_REDIS_URL} (start it: see README): ${String(error)}`);
  } finally {
    redis.disconnect();
  }
}
