import { DatabaseError } from 'pg';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/** Anything that runs SQL: the DataSource, or a transaction's EntityManager. */
export type Queryable = Pick<DataSource | EntityManager, 'query'>;

/**
 * Runs a parameterised statement and returns its rows. Writes are wrapped by callers as
 * `WITH w AS (… RETURNING …) SELECT …` so that every statement answers with plain rows.
 */
export async function select<Row>(runner: Queryable, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  return (await runner.query(sql, [...params])) as Row[];
}

export async function selectOne<Row>(runner: Queryable, sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
  const rows = await select<Row>(runner, sql, params);
  return rows[0];
}

/** The SQLSTATE of a failed query, if it is one. */
export function sqlState(error: unknown): string | undefined {
  // TypeORM wraps pg's error; a named statement (`PreparedSql`) runs on pg directly.
  const driver: unknown = error instanceof QueryFailedError ? error.driverError : error;
  if (!(driver instanceof DatabaseError)) return undefined;
  return driver.code;
}

/**
 * Deletes the rows of `table` matching `where` in batches of `batchSize` (each batch locked with
 * `FOR UPDATE SKIP LOCKED`), so that a big purge never holds a long lock. `table`, `key` and
 * `where` are constant SQL of the caller, never input; values go in `params`.
 */
export async function deleteInBatches(
  runner: Queryable,
  table: string,
  key: string,
  where: string,
  params: readonly unknown[],
  batchSize: number,
): Promise<number> {
  const limitParam = `$${params.length + 1}`;
  const sql = `
    WITH victims AS (
      SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${limitParam} FOR UPDATE SKIP LOCKED
    ), deleted AS (
      DELETE FROM ${table} t USING victims v WHERE t.${key} = v.${key} RETURNING 1
    )
    SELECT count(*)::int AS n FROM deleted`;
  let total = 0;
  for (;;) {
    const row = await selectOne<{ n: number }>(runner, sql, [...params, batchSize]);
    const deleted = row?.n ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
