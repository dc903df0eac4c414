import { createDatabaseIfMissing, withClient } from '../../src/db/migrate';
import { ORIGINAL_SCHEMA_DDL } from '../../src/db/adoption/original-schema';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** Snowflakes of the fixture's rows. */
export const IDS = {
  frenchBeta: '100000000000000001',
  nulls: '100000000000000002',
  dirty: '100000000000000003',
  wrongEntity: '100000000000000004',
  developer: '100000000000000005',
  officialGuild: '200000000000000001',
  nullGuild: '200000000000000002',
  cachedGuild: '300000000000000001',
  namelessGuild: '300000000000000002',
  legacySourceGuild: '300000000000000003',
  staleGuild: '300000000000000004',
  moderator: '400000000000000001',
} as const;

/**
 * Rows as the original bot (and years of hand fixes) leave them: NULL attributes/data, Python
 * `str()` audit values, lower- and mixed-case error codes, keys and values the registry refuses.
 */
const DIRTY_ROWS = [
  `INSERT INTO users (user_id, attributes, data, created_at, updated_at) VALUES
     (${IDS.frenchBeta}, '{"BETA": true, "LANG": "FR"}', '{"preferences": {"timezone": "Europe/Paris"}}', now() - interval '400 days', now() - interval '3 days'),
     (${IDS.nulls}, NULL, NULL, NULL, NULL),
     (${IDS.dirty}, '{"BETA": false, "PREMIUM": true, "OLD_FLAG": true, "LANG": "DE"}', '{}', now() - interval '10 days', NULL),
     (${IDS.wrongEntity}, '{"LANG": "EN", "OFFICIAL_SERVER": true}', '{"notes": [1, 2]}', DEFAULT, DEFAULT),
     (${IDS.developer}, '{"DEVELOPER": true, "LANG": "FR"}', DEFAULT, DEFAULT, DEFAULT)`,
  `INSERT INTO guilds (guild_id, attributes, data, updated_at) VALUES
     (${IDS.officialGuild}, '{"OFFICIAL_SERVER": true, "LANG": "FR"}', NULL, DEFAULT),
     (${IDS.nullGuild}, NULL, '{"welcome": {"channel": "123"}}', NULL)`,
  `INSERT INTO attribute_changes (entity_type, entity_id, attribute_name, old_value, new_value, changed_by, changed_at, reason) VALUES
     ('user', ${IDS.frenchBeta}, 'BETA', 'None', 'True', ${IDS.moderator}, now() - interval '30 days', 'beta tester'),
     ('user', ${IDS.frenchBeta}, 'LANG', NULL, 'FR', NULL, now() - interval '20 days', NULL),
     ('user', ${IDS.frenchBeta}, NULL, 'False', 'True', ${IDS.moderator}, NULL, 'name lost in a crash'),
     ('user', ${IDS.dirty}, 'BETA', 'True', 'False', ${IDS.moderator}, now() - interval '5 days', 'left beta'),
     ('guild', ${IDS.officialGuild}, 'OFFICIAL_SERVER', 'False', 'True', ${IDS.moderator}, now() - interval '9 days', 'partner')`,
  `INSERT INTO errors (error_code, error_type, message, file_source, line_number, traceback, user_id, guild_id, command, timestamp, context) VALUES
     ('A1B2C3D4', 'KeyError', 'missing key', 'cogs/user.py', 42, 'Traceback…', ${IDS.frenchBeta}, ${IDS.officialGuild}, 'user', now() - interval '1 day', '{"args": []}'),
     ('deadbeef', 'ValueError', 'lower-case code', NULL, NULL, NULL, NULL, NULL, NULL, now() - interval '2 days', NULL),
     ('AbCd1234', NULL, NULL, NULL, NULL, NULL, ${IDS.dirty}, NULL, 'config', NULL, '{}'),
     ('0FF1CE00', 'TimeoutError', 'old error', NULL, NULL, NULL, NULL, NULL, NULL, now() - interval '100 days', '{}'),
     ('ABC', 'ManualEntry', 'typed by hand', NULL, NULL, NULL, NULL, NULL, NULL, now(), '{}')`,
  `INSERT INTO guilds_cache (guild_id, name, icon_url, features, member_count, created_at, last_updated, update_source, raw_data) VALUES
     (${IDS.cachedGuild}, 'Cached Guild', 'https://cdn/icon.png', '{COMMUNITY}', 1200, now() - interval '3 years', now() - interval '1 day', 'bot_join', '{"id": "1"}'),
     (${IDS.namelessGuild}, NULL, NULL, NULL, NULL, NULL, now() - interval '1 day', NULL, NULL),
     (${IDS.legacySourceGuild}, 'Legacy Source', NULL, '{}', 10, NULL, now() - interval '1 day', 'invite_lookup', '{}'),
     (${IDS.staleGuild}, 'Stale Guild', NULL, '{}', 5, NULL, now() - interval '60 days', 'api_call', '{}')`,
] as const;

/** Runs statements on `url` with a plain client. */
export async function runSql(url: string, statements: readonly string[]): Promise<void> {
  await withClient(url, async (client) => {
    for (const statement of statements) await client.query(statement);
  });
}

export async function queryRows<Row>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query(sql, params)).rows as Row[]);
}

/** A database of this test's own holding the original schema; with the dirty rows unless `rows: false`. */
export async function createOriginalDatabase(options: { rows?: boolean } = {}): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrate: false });
  await createDatabaseIfMissing(database.url);
  await runSql(database.url, [...ORIGINAL_SCHEMA_DDL, ...(options.rows === false ? [] : DIRTY_ROWS)]);
  return database;
}

/** Every table of the current schema with a digest of its rows and definition, to prove nothing changed. */
export async function snapshot(url: string): Promise<Record<string, string>> {
  const tables = await queryRows<{ table: string }>(
    url,
    `SELECT table_name AS "table" FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
  );
  const result: Record<string, string> = {};
  for (const { table } of tables) {
    const [rows] = await queryRows<{ digest: string }>(
      url,
      `SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`,
    );
    const [columns] = await queryRows<{ columns: string }>(
      url,
      `SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY ordinal_position) AS columns
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
      [table],
    );
    result[table] = `${columns?.columns} :: ${rows?.digest}`;
  }
  return result;
}
