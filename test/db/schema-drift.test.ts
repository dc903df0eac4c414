import { createDataSource } from '../../src/db/data-source';
import { migrate } from '../../src/db/migrate';
import type { TestDatabase } from '../helpers/database';
import { createTestDatabase } from '../helpers/database';
import { createOriginalDatabase } from './adopt-fixture';

/** The SQL TypeORM would run to make the schema match the entities: none, when they describe it exactly. */
async function driftQueries(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 1 });
  await dataSource.initialize();
  try {
    const log = await dataSource.driver.createSchemaBuilder().log();
    return log.upQueries.map((query) => query.query);
  } finally {
    await dataSource.destroy();
  }
}

describe('entities match the migrated schema', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it('after migrating an empty database', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    expect(await driftQueries(database.url)).toEqual([]);
  });

  it('after adopting the original schema', async () => {
    const database = await createOriginalDatabase();
    databases.push(database);
    await migrate(database.url, { adoptOriginal: true });
    expect(await driftQueries(database.url)).toEqual([]);
  });
});
