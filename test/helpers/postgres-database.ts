import { createDataSource } from '../../src/db/data-source';
import { PostgresDatabase, type PostgresDatabaseOptions } from '../../src/db/postgres-database';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestPostgresDatabase {
  db: PostgresDatabase;
  database: TestDatabase;
  /** Closes the pool and drops the database. */
  cleanup(): Promise<void>;
}

/** The uncached data API on a database of this test's own. */
export async function createTestPostgresDatabase(options: PostgresDatabaseOptions = {}): Promise<TestPostgresDatabase> {
  const database = await createTestDatabase();
  const dataSource = createDataSource({ url: database.url, poolSize: 20 });
  await dataSource.initialize();
  const db = new PostgresDatabase(dataSource, options);
  return {
    db,
    database,
    async cleanup() {
      await db.close();
      await database.drop();
    },
  };
}
