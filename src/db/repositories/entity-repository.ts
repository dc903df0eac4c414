import type { DataSource } from 'typeorm';
import type { Attributes, EntityType } from '../../attributes/registry';
import { DataPathConflictError } from '../../core/moddy-error';
import type { JsonObject } from '../api';
import { ENTITY_TABLES } from '../entity-tables';
import type { NamedStatement, PreparedSql } from '../prepared-sql';
import { selectOne, sqlState } from '../sql';

export interface EntityRow {
  id: string;
  attributes: Attributes;
  data: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
}

/** Raised by `moddy_jsonb_set_path` (see the initial migration) when a path crosses a non-object. */
const PATH_CONFLICT_SQLSTATE = 'MD001';

/**
 * Creates the row, or reactivates an inactive one. An active row is only read: no lock, no
 * transaction ID, no WAL, so no commit waits for a disk flush (an `ON CONFLICT DO UPDATE` whose
 * `WHERE` fails still locks the row and logs the lock). Two first interactions racing still meet
 * in `ON CONFLICT`.
 */
const ENSURE: Record<EntityType, NamedStatement> = {
  user: ensureStatement('user'),
  guild: ensureStatement('guild'),
};

function ensureStatement(entityType: EntityType): NamedStatement {
  const { table, key } = ENTITY_TABLES[entityType];
  return {
    name: `moddy_ensure_${entityType}`,
    text: `INSERT INTO ${table} (${key})
       SELECT $1::bigint WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${key} = $1 AND deactivated_at IS NULL)
       ON CONFLICT (${key}) DO UPDATE SET deactivated_at = NULL, updated_at = now()
         WHERE ${table}.deactivated_at IS NOT NULL
       RETURNING (xmax = 0) AS created`,
  };
}

/** SQL for the rows of users and guilds: records, first-seen creation, soft delete, data paths. */
export class EntityRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prepared: PreparedSql,
  ) {}

  async find(entityType: EntityType, id: string): Promise<EntityRow | null> {
    const { table, key } = ENTITY_TABLES[entityType];
    const row = await selectOne<EntityRow>(
      this.dataSource,
      `SELECT ${key}::text AS id, attributes, data, created_at AS "createdAt", updated_at AS "updatedAt",
              deactivated_at AS "deactivatedAt"
       FROM ${table} WHERE ${key} = $1`,
      [id],
    );
    return row ?? null;
  }

  /** The first-seen row (see `ENSURE`); `created` when it was created. */
  async ensure(entityType: EntityType, id: string): Promise<{ created: boolean; reactivated: boolean }> {
    const row = await this.prepared.selectOne<{ created: boolean }>(ENSURE[entityType], [id]);
    return { created: row?.created === true, reactivated: row?.created === false };
  }

  async deactivate(entityType: EntityType, id: string): Promise<boolean> {
    const { table, key } = ENTITY_TABLES[entityType];
    const row = await selectOne<{ n: number }>(
      this.dataSource,
      `WITH marked AS (
         UPDATE ${table} SET deactivated_at = now(), updated_at = now()
         WHERE ${key} = $1 AND deactivated_at IS NULL RETURNING 1
       ) SELECT count(*)::int AS n FROM marked`,
      [id],
    );
    return (row?.n ?? 0) > 0;
  }

  /** One atomic statement: the row lock serialises concurrent updates, so none is lost. */
  async setDataPath(entityType: EntityType, id: string, path: string[], json: string): Promise<void> {
    const { table, key } = ENTITY_TABLES[entityType];
    try {
      await this.dataSource.query(
        `INSERT INTO ${table} (${key}, data) VALUES ($1, moddy_jsonb_set_path('{}'::jsonb, $2::text[], $3::jsonb))
         ON CONFLICT (${key}) DO UPDATE
           SET data = moddy_jsonb_set_path(${table}.data, $2::text[], $3::jsonb), updated_at = now()`,
        [id, path, json],
      );
    } catch (error) {
      if (sqlState(error) === PATH_CONFLICT_SQLSTATE) throw new DataPathConflictError(path.join('.'));
      throw error;
    }
  }
}
