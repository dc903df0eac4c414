/**
 * The schema of the original Moddy bot, as its start-up code creates it (`CREATE TABLE IF NOT
 * EXISTS …`). Adoption recognises a database by these exact columns and types, and tests and the
 * benchmark build their fixtures from this DDL.
 */
export const ORIGINAL_SCHEMA_DDL = [
  `CREATE TABLE IF NOT EXISTS errors (
     error_code VARCHAR(8) PRIMARY KEY, error_type VARCHAR(100), message TEXT, file_source VARCHAR(255),
     line_number INTEGER, traceback TEXT, user_id BIGINT, guild_id BIGINT, command VARCHAR(100),
     timestamp TIMESTAMPTZ DEFAULT NOW(), context JSONB DEFAULT '{}')`,
  `CREATE INDEX IF NOT EXISTS idx_errors_timestamp ON errors(timestamp)`,
  `CREATE INDEX IF NOT EXISTS idx_errors_user ON errors(user_id)`,
  `CREATE TABLE IF NOT EXISTS guilds_cache (
     guild_id BIGINT PRIMARY KEY, name VARCHAR(100), icon_url TEXT, features TEXT[], member_count INTEGER,
     created_at TIMESTAMPTZ, last_updated TIMESTAMPTZ DEFAULT NOW(), update_source VARCHAR(50),
     raw_data JSONB DEFAULT '{}')`,
  `CREATE INDEX IF NOT EXISTS idx_guilds_cache_updated ON guilds_cache(last_updated)`,
  `CREATE TABLE IF NOT EXISTS users (
     user_id BIGINT PRIMARY KEY, attributes JSONB DEFAULT '{}', data JSONB DEFAULT '{}',
     created_at TIMESTAMPTZ DEFAULT NOW(), updated_at TIMESTAMPTZ DEFAULT NOW())`,
  `CREATE INDEX IF NOT EXISTS idx_users_attributes ON users USING GIN (attributes)`,
  `CREATE TABLE IF NOT EXISTS guilds (
     guild_id BIGINT PRIMARY KEY, attributes JSONB DEFAULT '{}', data JSONB DEFAULT '{}',
     created_at TIMESTAMPTZ DEFAULT NOW(), updated_at TIMESTAMPTZ DEFAULT NOW())`,
  `CREATE INDEX IF NOT EXISTS idx_guilds_attributes ON guilds USING GIN (attributes)`,
  `CREATE TABLE IF NOT EXISTS attribute_changes (
     id SERIAL PRIMARY KEY, entity_type VARCHAR(10) CHECK (entity_type IN ('user', 'guild')),
     entity_id BIGINT NOT NULL, attribute_name VARCHAR(50), old_value TEXT, new_value TEXT,
     changed_by BIGINT, changed_at TIMESTAMPTZ DEFAULT NOW(), reason TEXT)`,
  `CREATE INDEX IF NOT EXISTS idx_attribute_changes_entity ON attribute_changes(entity_type, entity_id)`,
] as const;

export const ORIGINAL_TABLES = ['users', 'guilds', 'attribute_changes', 'errors', 'guilds_cache'] as const;
export type OriginalTable = (typeof ORIGINAL_TABLES)[number];

const entityColumns = (key: string) => ({
  [key]: 'bigint',
  attributes: 'jsonb',
  data: 'jsonb',
  created_at: 'timestamp with time zone',
  updated_at: 'timestamp with time zone',
});

/** Every column of the original tables and its type as PostgreSQL's `format_type` spells it. */
export const ORIGINAL_COLUMNS: Record<OriginalTable, Record<string, string>> = {
  users: entityColumns('user_id'),
  guilds: entityColumns('guild_id'),
  attribute_changes: {
    id: 'integer',
    entity_type: 'character varying(10)',
    entity_id: 'bigint',
    attribute_name: 'character varying(50)',
    old_value: 'text',
    new_value: 'text',
    changed_by: 'bigint',
    changed_at: 'timestamp with time zone',
    reason: 'text',
  },
  errors: {
    error_code: 'character varying(8)',
    error_type: 'character varying(100)',
    message: 'text',
    file_source: 'character varying(255)',
    line_number: 'integer',
    traceback: 'text',
    user_id: 'bigint',
    guild_id: 'bigint',
    command: 'character varying(100)',
    timestamp: 'timestamp with time zone',
    context: 'jsonb',
  },
  guilds_cache: {
    guild_id: 'bigint',
    name: 'character varying(100)',
    icon_url: 'text',
    features: 'text[]',
    member_count: 'integer',
    created_at: 'timestamp with time zone',
    last_updated: 'timestamp with time zone',
    update_source: 'character varying(50)',
    raw_data: 'jsonb',
  },
};
