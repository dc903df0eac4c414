import { createDataSource } from '../../src/db/data-source';
import { migrate } from '../../src/db/migrate';
import type { TestDatabase } from '../helpers/database';
import { createTestDatabase } from '../helpers/database';
import { createOriginalDatabase, queryRows } from './adopt-fixture';

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

/** Columns, indexes, constraints, sequences and functions of the current schema, as text. */
async function structure(url: string): Promise<string[]> {
  const rows = await queryRows<{ item: string }>(
    url,
    `SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) AS item
       FROM information_schema.columns WHERE table_schema = current_schema()
     UNION ALL SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = current_schema()
     UNION ALL SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint
       WHERE connamespace = current_schema()::regnamespace
     UNION ALL SELECT format('sequence %s %s', sequencename, data_type) FROM pg_sequences WHERE schemaname = current_schema()
     UNION ALL SELECT format('function %s', p.oid::regprocedure) FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace
     ORDER BY 1`,
  );
  return rows.map((row) => row.item);
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

  it('after adopting the original schema, which is then the very schema an empty database gets', async () => {
    const adopted = await createOriginalDatabase();
    databases.push(adopted);
    await migrate(adopted.url, { adoptOriginal: true });
    expect(await driftQueries(adopted.url)).toEqual([]);

    const fresh = await createTestDatabase();
    databases.push(fresh);
    const expected = await structure(fresh.url);
    expect(expected.filter((item) => item.startsWith('index '))).toHaveLength(15);
    expect(await structure(adopted.url)).toEqual(expected);
  });
});
