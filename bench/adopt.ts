import { performance } from 'node:perf_hooks';
import { getConfig } from '../src/config';
import { connectDatabase } from '../src/connect';
import { ORIGINAL_SCHEMA_DDL } from '../src/db/adoption/original-schema';
import { createDatabaseIfMissing, migrate, planMigration, quoteIdentifier, withClient } from '../src/db/migrate';

/** Default size: as many users as audit rows (the 1M + 1M). */
export const DEFAULT_ADOPT_ROWS = 1_000_000;

async function sql(url: string, statements: readonly string[]): Promise<void> {
  await withClient(url, async (client) => {
    for (const statement of statements) await client.query(statement);
  });
}

/**
 * The original bot's rows at scale, dirty the way real databases are: 5% NULL attributes or data,
 * 1% `"BETA": false`, audit values in Python's `str()` ('True', 'False', 'None', NULL, 'FR'),
 * 5% NULL `changed_by`/`reason`, lower-case error codes.
 */
function originalRows(rows: number): string[] {
  const guilds = Math.max(1, Math.floor(rows / 100));
  return [
    `INSERT INTO users (user_id, attributes, data, created_at, updated_at)
     SELECT 100000000000000000 + i,
            CASE WHEN i % 20 = 0 THEN NULL WHEN i % 100 = 1 THEN '{"BETA": false}'
                 WHEN i % 7 = 0 THEN '{"LANG": "FR", "BETA": true}' ELSE '{"LANG": "EN"}' END::jsonb,
            CASE WHEN i % 20 = 3 THEN NULL ELSE jsonb_build_object('preferences', jsonb_build_object('n', i)) END,
            now() - (i % 1000) * interval '1 day', CASE WHEN i % 50 = 0 THEN NULL ELSE now() END
     FROM generate_series(1, ${rows}) i`,
    `INSERT INTO guilds (guild_id, attributes, data)
     SELECT 200000000000000000 + i, CASE WHEN i % 20 = 0 THEN NULL ELSE '{"LANG": "FR"}' END::jsonb, '{}'
     FROM generate_series(1, ${guilds}) i`,
    `INSERT INTO attribute_changes (entity_type, entity_id, attribute_name, old_value, new_value, changed_by, changed_at, reason)
     SELECT 'user', 100000000000000000 + (i % ${rows}) + 1, CASE WHEN i % 3 = 0 THEN 'LANG' ELSE 'BETA' END,
            (ARRAY['None', 'True', 'False', NULL, 'EN'])[i % 5 + 1], (ARRAY['True', 'False', 'FR', 'None', NULL])[i % 5 + 1],
            CASE WHEN i % 20 = 0 THEN NULL ELSE 400000000000000001 END, now() - (i % 1000) * interval '1 minute',
            CASE WHEN i % 20 = 1 THEN NULL ELSE 'bench' END
     FROM generate_series(1, ${rows}) i`,
    `INSERT INTO errors (error_code, error_type, message, timestamp)
     SELECT CASE WHEN i % 2 = 0 THEN lower(to_hex(2147483648 + i)) ELSE upper(to_hex(2147483648 + i)) END,
            CASE WHEN i % 10 = 0 THEN NULL ELSE 'KeyError' END, 'bench', now() - (i % 60) * interval '1 day'
     FROM generate_series(1, ${guilds}) i`,
    `INSERT INTO guilds_cache (guild_id, name, features, update_source)
     SELECT 300000000000000000 + i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'Guild ' || i END, NULL,
            CASE WHEN i % 10 = 1 THEN NULL ELSE 'bot_join' END
     FROM generate_series(1, ${guilds}) i`,
    'ANALYZE',
  ];
}

/** `npm run bench:adopt` (or `npm run bench -- adopt=<rows>`): builds an original database of `rows` users and audit rows, then times the dry run and the adoption. */
export async function run(rows = DEFAULT_ADOPT_ROWS): Promise<void> {
  const url = new URL(getConfig().DATABASE_URL);
  const name = `moddy_bench_adopt_${process.pid}`;
  url.pathname = `/${name}`;
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  await createDatabaseIfMissing(url.toString());
  try {
    let started = performance.now();
    await sql(url.toString(), [...ORIGINAL_SCHEMA_DDL, ...originalRows(rows)]);
    console.log(
      `original database: ${rows.toLocaleString('en-US')} users, ${rows.toLocaleString('en-US')} audit rows, built in ${seconds(started)}`,
    );

    started = performance.now();
    const plan = await planMigration(url.toString());
    console.log(`dry run: ${seconds(started)} (${plan.adoption?.registryViolations.total ?? 0} registry violations reported)`);

    started = performance.now();
    const result = await migrate(url.toString(), { adoptOriginal: true });
    console.log(`adoption (one transaction, every row converted): ${seconds(started)}; applied ${result.applied.join(', ')}`);

    const db = await connectDatabase({ config: getConfig(), databaseUrl: url.toString(), cache: false });
    try {
      const stats = await db.getStats();
      const sample = await db.getAttributeHistory('user', '100000000000000007', { limit: 5 });
      console.log(
        `afterwards: ${stats.users.toLocaleString('en-US')} users, ${stats.betaUsers.toLocaleString('en-US')} with BETA; a history of ${sample.length} rows reads`,
      );
    } finally {
      await db.close();
    }
  } finally {
    await sql(admin.toString(), [`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`]);
  }
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}
