import type { DataSource } from 'typeorm';
import type { AttributeName, AttributeValue, Attributes, EntityType } from '../../attributes/registry';
import type { AttributeChange, SetAttributeResult } from '../api';
import { ENTITY_TABLES } from '../entity-tables';
import type { NamedStatement, PreparedSql } from '../prepared-sql';
import { select, selectOne } from '../sql';

interface AttributeChangeRow {
  id: string;
  entity_type: EntityType;
  entity_id: string;
  attribute_name: string;
  old_value: AttributeValue | null;
  new_value: AttributeValue | null;
  changed_by: string;
  changed_at: Date;
  reason: string;
}

export interface AttributeChangeRequest {
  entityType: EntityType;
  id: string;
  name: AttributeName;
  /** `null` removes the key. */
  value: AttributeValue | null;
  changedBy: string;
  reason: string;
}

/** The reads behind the cache's attribute misses. */
const GET_ATTRIBUTES: Record<EntityType, NamedStatement> = {
  user: getAttributesStatement('user'),
  guild: getAttributesStatement('guild'),
};

function getAttributesStatement(entityType: EntityType): NamedStatement {
  const { table, key } = ENTITY_TABLES[entityType];
  return { name: `moddy_get_${entityType}_attributes`, text: `SELECT attributes FROM ${table} WHERE ${key} = $1` };
}
const GET_INTERACTION_ATTRIBUTES: NamedStatement = {
  name: 'moddy_get_interaction_attributes',
  text: `SELECT (SELECT attributes FROM users WHERE user_id = $1) AS "user",
                (SELECT attributes FROM guilds WHERE guild_id = $2) AS guild`,
};

/** SQL for the system attributes of users and guilds and their audit trail. Inputs arrive validated. */
export class AttributeRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prepared: PreparedSql,
  ) {}

  async getAttributes(entityType: EntityType, id: string): Promise<Attributes | null> {
    const row = await this.prepared.selectOne<{ attributes: Attributes }>(GET_ATTRIBUTES[entityType], [id]);
    return row?.attributes ?? null;
  }

  async getInteractionAttributes(userId: string, guildId: string | null): Promise<{ user: Attributes | null; guild: Attributes | null }> {
    const row = await this.prepared.selectOne<{ user: Attributes | null; guild: Attributes | null }>(GET_INTERACTION_ATTRIBUTES, [
      userId,
      guildId,
    ]);
    return { user: row?.user ?? null, guild: row?.guild ?? null };
  }

  /**
   * Locks the entity's row (creating it if missing), compares, then updates and audits in one
   * transaction: concurrent changes to one entity are serialised and each audit row's old value
   * is the previous row's new value.
   */
  async setAttribute(change: AttributeChangeRequest): Promise<SetAttributeResult> {
    const { table, key } = ENTITY_TABLES[change.entityType];
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO ${table} (${key}) VALUES ($1) ON CONFLICT (${key}) DO NOTHING`, [change.id]);
      const current = await selectOne<{ value: AttributeValue | null }>(
        manager,
        `SELECT attributes -> $2::text AS value FROM ${table} WHERE ${key} = $1 FOR UPDATE`,
        [change.id, change.name],
      );
      const oldValue = current?.value ?? null;
      if (oldValue === change.value) return { changed: false, oldValue, newValue: change.value };
      const newAttributes = change.value === null ? `attributes - $2::text` : `attributes || jsonb_build_object($2::text, $3::jsonb)`;
      await manager.query(
        `WITH updated AS (
           UPDATE ${table} SET attributes = ${newAttributes}, updated_at = now() WHERE ${key} = $1 RETURNING 1
         )
         INSERT INTO attribute_changes
           (entity_type, entity_id, attribute_name, old_value, new_value, changed_by, changed_at, reason)
         SELECT $4, $1, $2, $5::jsonb, $3::jsonb, $6, clock_timestamp(), $7 FROM updated`,
        [
          change.id,
          change.name,
          change.value === null ? null : JSON.stringify(change.value),
          change.entityType,
          oldValue === null ? null : JSON.stringify(oldValue),
          change.changedBy,
          change.reason,
        ],
      );
      return { changed: true, oldValue, newValue: change.value };
    });
  }

  /** Active entities holding the attribute (or that exact value): served by the GIN index. */
  idsWithAttributeQuery(
    entityType: EntityType,
    name: AttributeName,
    value: AttributeValue | undefined,
  ): { sql: string; params: unknown[] } {
    const { table, key } = ENTITY_TABLES[entityType];
    const [condition, param] =
      value === undefined || value === true ? ['attributes ? $1', name] : ['attributes @> $1::jsonb', JSON.stringify({ [name]: value })];
    return {
      sql: `SELECT ${key}::text AS id FROM ${table} WHERE ${condition} AND deactivated_at IS NULL ORDER BY ${key}`,
      params: [param],
    };
  }

  async idsWithAttribute(entityType: EntityType, name: AttributeName, value: AttributeValue | undefined): Promise<string[]> {
    const { sql, params } = this.idsWithAttributeQuery(entityType, name, value);
    const rows = await select<{ id: string }>(this.dataSource, sql, params);
    return rows.map((row) => row.id);
  }

  /** Streams the same query through a server-side cursor, `batchSize` IDs at a time. */
  async *streamIdsWithAttribute(
    entityType: EntityType,
    name: AttributeName,
    value: AttributeValue | undefined,
    batchSize: number,
  ): AsyncGenerator<string[]> {
    const { sql, params } = this.idsWithAttributeQuery(entityType, name, value);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`DECLARE moddy_ids NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const rows = (await runner.query(`FETCH FORWARD ${batchSize} FROM moddy_ids`)) as { id: string }[];
        if (rows.length === 0) break;
        yield rows.map((row) => row.id);
        if (rows.length < batchSize) break;
      }
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  async history(entityType: EntityType, id: string, limit: number): Promise<AttributeChange[]> {
    const rows = await select<AttributeChangeRow>(
      this.dataSource,
      `SELECT * FROM (
         SELECT id::text, entity_type, entity_id::text, attribute_name, old_value, new_value,
                changed_by::text, changed_at, reason
         FROM attribute_changes WHERE entity_type = $1 AND entity_id = $2
         ORDER BY id DESC LIMIT $3
       ) latest ORDER BY id::bigint`,
      [entityType, id, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      entityType: row.entity_type,
      entityId: row.entity_id,
      attributeName: row.attribute_name,
      oldValue: row.old_value,
      newValue: row.new_value,
      changedBy: row.changed_by,
      changedAt: row.changed_at,
      reason: row.reason,
    }));
  }
}
