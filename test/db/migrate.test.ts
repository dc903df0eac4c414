import { Client } from 'pg';
import { RevertRefusedError, migrate, planMigration, revertLastMigration } from '../../src/db/migrate';
import { MIGRATIONS } from '../../migrations';
import { dropDatabase } from '../helpers/database';
import { TEST_POSTGRES_URL, uniqueSuffix } from '../helpers/services';

function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await dropDatabase(name);
  });

  it('creates the database, applies every migration, and is a no-op the second time', async () => {
    const name = `moddy_test_migrate_${uniqueSuffix()}`;
    created.push(name);
    const first = await migrate(databaseUrl(name));
    expect(first).toEqual({ databaseCreated: true, applied: MIGRATIONS.map((migration) => migration.name), adopted: null });
    const second = await migrate(databaseUrl(name));
    expect(second).toEqual({ databaseCreated: false, applied: [], adopted: null });

    const tables = await withClient(databaseUrl(name), async (client) =>
      (
        await client.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
        )
      ).rows.map((row) => row.table_name),
    );
    expect(tables).toEqual(['attribute_changes', 'cache_invalidations', 'errors', 'guilds', 'guilds_cache', 'moddy_migrations', 'users']);
  });

  it('is safe when several processes run it at once', async () => {
    const name = `moddy_test_migrate_${uniqueSuffix()}`;
    created.push(name);
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(databaseUrl(name))));
    expect(results.filter((result) => result.databaseCreated)).toHaveLength(1);
    expect(results.flatMap((result) => result.applied)).toEqual(MIGRATIONS.map((migration) => migration.name));
    const applied = await withClient(
      databaseUrl(name),
      async (client) => (await client.query('SELECT name FROM moddy_migrations')).rowCount,
    );
    expect(applied).toBe(MIGRATIONS.length);
  });

  it('builds the schema the design asks for', async () => {
    const name = created[0]!;
    const indexes = await withClient(
      databaseUrl(name),
      async (client) =>
        (
          await client.query<{ indexname: string; indexdef: string }>(
            `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
          )
        ).rows,
    );
    const byName = new Map(indexes.map((index) => [index.indexname, index.indexdef]));
    expect(byName.get('idx_users_attributes')).toMatch(/USING gin \(attributes\)/);
    expect(byName.get('idx_guilds_attributes')).toMatch(/USING gin \(attributes\)/);
    expect(byName.get('idx_errors_timestamp')).toBeDefined();
    expect(byName.get('idx_errors_user_id')).toBeDefined();
    expect(byName.get('idx_errors_guild_id')).toBeDefined();
    expect(byName.get('idx_guilds_cache_last_updated')).toBeDefined();
    expect(byName.get('idx_attribute_changes_entity')).toMatch(/\(entity_type, entity_id, changed_at\)/);

    const columns = await withClient(
      databaseUrl(name),
      async (client) =>
        (
          await client.query<{ table_name: string; column_name: string; data_type: string }>(
            `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`,
          )
        ).rows,
    );
    const type = (table: string, column: string) => columns.find((c) => c.table_name === table && c.column_name === column)?.data_type;
    expect(type('errors', 'error_code')).toBe('character');
    expect(type('errors', 'timestamp')).toBe('timestamp with time zone');
    expect(type('users', 'user_id')).toBe('bigint');
    expect(type('guilds', 'attributes')).toBe('jsonb');
    expect(type('attribute_changes', 'old_value')).toBe('jsonb');
    expect(type('guilds_cache', 'update_source')).toBe('character varying');

    // The update_source check constraint refuses unknown sources at the database too.
    await expect(
      withClient(databaseUrl(name), (client) =>
        client.query(`INSERT INTO guilds_cache (guild_id, name, update_source) VALUES (1, 'x', 'gossip')`),
      ),
    ).rejects.toThrow(/chk_guilds_cache_update_source/);
  });

  it('dry run on a missing database creates nothing and lists every migration', async () => {
    const name = `moddy_test_migrate_${uniqueSuffix()}`;
    const plan = await planMigration(databaseUrl(name));
    expect(plan).toEqual({ databaseExists: false, state: 'empty', pending: MIGRATIONS.map((migration) => migration.name), adoption: null });
    const exists = await withClient(
      TEST_POSTGRES_URL,
      async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount,
    );
    expect(exists).toBe(0);
  });

  it('reverts the last migration, refusing in production unless confirmed', async () => {
    const name = `moddy_test_migrate_${uniqueSuffix()}`;
    created.push(name);
    const url = databaseUrl(name);
    await migrate(url);
    const last = MIGRATIONS[MIGRATIONS.length - 1]!.name;
    await expect(revertLastMigration(url, { production: true })).rejects.toBeInstanceOf(RevertRefusedError);
    expect((await planMigration(url)).pending).toEqual([]);
    expect(await revertLastMigration(url, { production: true, confirmed: true })).toBe(last);
    expect((await planMigration(url)).pending).toEqual([last]);
    if (MIGRATIONS.length === 1) expect(await revertLastMigration(url)).toBeNull();
    expect((await migrate(url)).applied).toEqual([last]);
  });
});
