import { GUILD_CACHE_SOURCES } from '../entities';
import type { OriginalTable } from './original-schema';

/** One documented change of a stored value; `when` is the SQL condition on the original row. */
export interface ConversionRule {
  rule: string;
  when: string;
}

/** A column of this project's table and the SQL expression that fills it from the original row. */
export interface ColumnCopy {
  column: string;
  expression: string;
  conversions?: readonly ConversionRule[];
}

/** "Unknown" in a NOT NULL snowflake column: no Discord ID is 0. */
export const UNKNOWN_ACTOR_ID = '0';
export const UNKNOWN_ERROR_TYPE = 'Unknown';
/** A cache row dated here counts as stale, so the next lookup refreshes it from Discord. */
const STALE = `'epoch'::timestamptz`;
/** The original `update_source` when it is not one of ours, kept in `raw_data` under this key. */
export const ADOPTED_UPDATE_SOURCE_KEY = 'moddy_adopted_update_source';

const sources = `ARRAY[${GUILD_CACHE_SOURCES.map((source) => `'${source}'`).join(', ')}]`;
const knownSource = `update_source = ANY(${sources})`;

/** Python's `str()` of the original audit values → JSONB: 'True' → true, 'False'/'None'/NULL → absent, else a JSON string. */
const auditValue = (column: string): ColumnCopy => ({
  column,
  expression: `CASE WHEN ${column} IS NULL OR ${column} IN ('False', 'None') THEN NULL
                    WHEN ${column} = 'True' THEN 'true'::jsonb ELSE to_jsonb(${column}) END`,
  conversions: [
    { rule: `'True' → true`, when: `${column} = 'True'` },
    { rule: `'False' or 'None' → absent (NULL)`, when: `${column} IN ('False', 'None')` },
    { rule: 'other text → JSON string', when: `${column} NOT IN ('True', 'False', 'None')` },
  ],
});

const entityCopy = (key: string): readonly ColumnCopy[] => [
  { column: key, expression: key },
  {
    column: 'attributes',
    expression: `COALESCE(attributes, '{}'::jsonb)`,
    conversions: [{ rule: 'NULL → {}', when: 'attributes IS NULL' }],
  },
  { column: 'data', expression: `COALESCE(data, '{}'::jsonb)`, conversions: [{ rule: 'NULL → {}', when: 'data IS NULL' }] },
  {
    column: 'created_at',
    expression: 'COALESCE(created_at, updated_at, now())',
    conversions: [{ rule: 'NULL → updated_at, or the adoption time', when: 'created_at IS NULL' }],
  },
  {
    column: 'updated_at',
    expression: 'COALESCE(updated_at, created_at, now())',
    conversions: [{ rule: 'NULL → created_at, or the adoption time', when: 'updated_at IS NULL' }],
  },
];

/**
 * How each original table fills this project's one (`deactivated_at` starts NULL: every adopted
 * user and guild is active). Values of the registry's attributes are copied as they are.
 */
export const TABLE_COPIES: Record<OriginalTable, readonly ColumnCopy[]> = {
  users: entityCopy('user_id'),
  guilds: entityCopy('guild_id'),
  attribute_changes: [
    { column: 'id', expression: 'id' },
    { column: 'entity_type', expression: 'entity_type' },
    { column: 'entity_id', expression: 'entity_id' },
    {
      column: 'attribute_name',
      expression: `COALESCE(attribute_name, '')`,
      conversions: [{ rule: `NULL → '' (not recorded)`, when: 'attribute_name IS NULL' }],
    },
    auditValue('old_value'),
    auditValue('new_value'),
    {
      column: 'changed_by',
      expression: `COALESCE(changed_by, ${UNKNOWN_ACTOR_ID})`,
      conversions: [{ rule: `NULL → ${UNKNOWN_ACTOR_ID} (unknown actor)`, when: 'changed_by IS NULL' }],
    },
    {
      column: 'changed_at',
      expression: 'COALESCE(changed_at, now())',
      conversions: [{ rule: 'NULL → the adoption time', when: 'changed_at IS NULL' }],
    },
    {
      column: 'reason',
      expression: `COALESCE(reason, '')`,
      conversions: [{ rule: `NULL → '' (no reason given)`, when: 'reason IS NULL' }],
    },
  ],
  errors: [
    {
      column: 'error_code',
      expression: 'upper(error_code)',
      conversions: [{ rule: 'lower-case letters → upper case (lookup is case-insensitive)', when: 'error_code <> upper(error_code)' }],
    },
    {
      column: 'error_type',
      expression: `COALESCE(error_type, '${UNKNOWN_ERROR_TYPE}')`,
      conversions: [{ rule: `NULL → '${UNKNOWN_ERROR_TYPE}'`, when: 'error_type IS NULL' }],
    },
    { column: 'message', expression: `COALESCE(message, '')`, conversions: [{ rule: `NULL → ''`, when: 'message IS NULL' }] },
    { column: 'file_source', expression: 'file_source' },
    { column: 'line_number', expression: 'line_number' },
    { column: 'traceback', expression: 'traceback' },
    { column: 'user_id', expression: 'user_id' },
    { column: 'guild_id', expression: 'guild_id' },
    { column: 'command', expression: 'command' },
    {
      column: '"timestamp"',
      expression: 'COALESCE("timestamp", now())',
      conversions: [{ rule: 'NULL → the adoption time (kept a full retention period)', when: '"timestamp" IS NULL' }],
    },
    { column: 'context', expression: `COALESCE(context, '{}'::jsonb)`, conversions: [{ rule: 'NULL → {}', when: 'context IS NULL' }] },
  ],
  guilds_cache: [
    { column: 'guild_id', expression: 'guild_id' },
    {
      column: 'name',
      expression: `COALESCE(name, '')`,
      conversions: [{ rule: `NULL → '' and the row marked stale (refreshed at the next lookup)`, when: 'name IS NULL' }],
    },
    { column: 'icon_url', expression: 'icon_url' },
    { column: 'features', expression: `COALESCE(features, '{}')`, conversions: [{ rule: 'NULL → {}', when: 'features IS NULL' }] },
    { column: 'member_count', expression: 'member_count' },
    { column: 'created_at', expression: 'created_at' },
    {
      column: 'last_updated',
      expression: `CASE WHEN name IS NULL OR update_source IS NULL OR NOT ${knownSource} THEN ${STALE}
                        ELSE COALESCE(last_updated, ${STALE}) END`,
      conversions: [{ rule: 'NULL → 1970-01-01 (stale)', when: 'last_updated IS NULL' }],
    },
    {
      column: 'update_source',
      expression: `CASE WHEN ${knownSource} THEN update_source ELSE 'manual' END`,
      conversions: [
        { rule: `NULL → 'manual' and the row marked stale`, when: 'update_source IS NULL' },
        {
          rule: `not one of ${GUILD_CACHE_SOURCES.join('/')} → 'manual', the row marked stale, the original kept in raw_data.${ADOPTED_UPDATE_SOURCE_KEY}`,
          when: `NOT ${knownSource}`,
        },
      ],
    },
    {
      column: 'raw_data',
      expression: `CASE WHEN update_source IS NOT NULL AND NOT ${knownSource}
                        THEN COALESCE(raw_data, '{}'::jsonb) || jsonb_build_object('${ADOPTED_UPDATE_SOURCE_KEY}', update_source)
                        ELSE COALESCE(raw_data, '{}'::jsonb) END`,
      conversions: [{ rule: 'NULL → {}', when: 'raw_data IS NULL' }],
    },
  ],
};

/** `INSERT … SELECT` copying one original table, moved to `sourceSchema`, into this project's table. */
export function copyStatement(table: OriginalTable, sourceSchema: string): string {
  const copies = TABLE_COPIES[table];
  return `INSERT INTO ${table} (${copies.map((copy) => copy.column).join(', ')})
          SELECT ${copies.map((copy) => copy.expression).join(',\n                 ')} FROM ${sourceSchema}.${table}`;
}
