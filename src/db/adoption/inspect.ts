import { select, selectOne, type Queryable } from '../sql';
import { SchemaMismatchError } from './adoption-errors';
import { ORIGINAL_COLUMNS, ORIGINAL_TABLES } from './original-schema';

/** The migrations table of `createDataSource`. */
export const MIGRATIONS_TABLE = 'moddy_migrations';

/**
 * What `migrate` finds in the database:
 * - `empty`: none of the five tables; migrations build them.
 * - `moddy`: this project's migration history; pending migrations apply.
 * - `original`: the original bot's five tables exactly, and no history; adoption upgrades them.
 */
export type SchemaState = 'empty' | 'moddy' | 'original';

/**
 * Classifies the current schema. Anything else (a table missing, a column of another type or
 * extra, a half-adopted database) throws `SchemaMismatchError` naming every difference.
 */
export async function inspectSchema(runner: Queryable): Promise<SchemaState> {
  if (await hasMigrationHistory(runner)) return 'moddy';
  const rows = await select<{ table: string; column: string; type: string }>(
    runner,
    `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[])`,
    [ORIGINAL_TABLES],
  );
  if (rows.length === 0) return 'empty';
  const differences = compareWithOriginal(rows);
  if (differences.length > 0) throw new SchemaMismatchError(differences);
  return 'original';
}

async function hasMigrationHistory(runner: Queryable): Promise<boolean> {
  const table = await selectOne<{ exists: boolean }>(runner, `SELECT to_regclass($1) IS NOT NULL AS exists`, [MIGRATIONS_TABLE]);
  if (!table?.exists) return false;
  const row = await selectOne<{ exists: boolean }>(runner, `SELECT EXISTS (SELECT 1 FROM ${MIGRATIONS_TABLE}) AS exists`);
  return row?.exists === true;
}

function compareWithOriginal(rows: readonly { table: string; column: string; type: string }[]): string[] {
  const differences: string[] = [];
  for (const table of ORIGINAL_TABLES) {
    const found = new Map(rows.filter((row) => row.table === table).map((row) => [row.column, row.type]));
    if (found.size === 0) {
      differences.push(`table ${table} is missing`);
      continue;
    }
    const expected = ORIGINAL_COLUMNS[table];
    const missing = Object.keys(expected).filter((column) => !found.has(column));
    if (missing.length > 0) differences.push(`${table} lacks column(s) ${missing.join(', ')}`);
    for (const [column, type] of Object.entries(expected)) {
      const actual = found.get(column);
      if (actual !== undefined && actual !== type) differences.push(`${table}.${column} is ${actual}, the original's is ${type}`);
    }
    for (const [column, type] of found) {
      if (!Object.hasOwn(expected, column)) differences.push(`${table}.${column} (${type}) is not in the original schema`);
    }
  }
  return differences;
}
