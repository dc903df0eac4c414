import { Client } from 'pg';
import { migrate } from '../../src/db/migrate';
import { quoteIdentifier } from '../../src/db/migrate';
import { TEST_POSTGRES_URL, uniqueSuffix } from './services';

export interface TestDatabase {
  /** Connection string of this test's own database. */
  url: string;
  name: string;
  /** Drops the database (terminating any connection left open). */
  drop(): Promise<void>;
}

/** A database of this test's own, freshly migrated. Call `drop()` in `afterAll`. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `moddy_test_${uniqueSuffix()}`;
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  if (options.migrate !== false) await migrate(url.toString());
  return {
    url: url.toString(),
    name,
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
