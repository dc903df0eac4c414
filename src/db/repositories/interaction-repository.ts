import type { Attributes } from '../../attributes/registry';
import type { NamedStatement, PreparedSql } from '../prepared-sql';
import type { EntityRow } from './entity-repository';

export interface InteractionRow {
  user: Attributes | null;
  guild: Attributes | null;
  /** Only when asked for; `null` when the guild has no row. */
  guildRecord?: EntityRow | null;
  userRow: { created: boolean; reactivated: boolean };
}

/**
 * The first-seen row of a user who is not blacklisted: created, or reactivated. As `EntityRepository.ensure`,
 * an active row is only read (no lock, no WAL); a blacklisted user's row is left as it is.
 */
const ENSURE_USER = `
  INSERT INTO users (user_id)
  SELECT $1::bigint WHERE $3::boolean AND NOT EXISTS (
    SELECT 1 FROM users WHERE user_id = $1 AND (deactivated_at IS NULL OR attributes ? 'BLACKLISTED'))
  ON CONFLICT (user_id) DO UPDATE SET deactivated_at = NULL, updated_at = now()
    WHERE users.deactivated_at IS NOT NULL AND NOT users.attributes ? 'BLACKLISTED'
  RETURNING (xmax = 0) AS created`;

const GUILD_RECORD_COLUMNS = `, g.guild_id::text AS "guildId", g.data, g.created_at AS "createdAt", g.updated_at AS "updatedAt",
  g.deactivated_at AS "deactivatedAt"`;

/** Both statements differ only in the constant columns above: every value is a bound parameter. */
const statement = (guildRecord: boolean): NamedStatement => ({
  name: guildRecord ? 'moddy_begin_interaction_record' : 'moddy_begin_interaction',
  text: `
  WITH ensured AS (${ENSURE_USER})
  SELECT (SELECT attributes FROM users WHERE user_id = $1) AS "user", g.attributes AS guild${guildRecord ? GUILD_RECORD_COLUMNS : ''},
         (SELECT created FROM ensured) AS created
  FROM (VALUES (1)) AS one LEFT JOIN guilds g ON g.guild_id = $2`,
});
const WITH_RECORD = statement(true);
const WITHOUT_RECORD = statement(false);

type Row = { user: Attributes | null; guild: Attributes | null; created: boolean | null } & Partial<Omit<EntityRow, 'id'>> & {
    guildId?: string | null;
  };

/**
 * The interaction middleware's load, one statement: both attribute sets, the guild record when
 * asked, the user's first-seen row when asked. Its reads see the database as it was before the
 * statement's own insert, which is right: a created row has no attributes, a reactivated one keeps its own.
 */
export class InteractionRepository {
  constructor(private readonly sql: PreparedSql) {}

  async load(userId: string, guildId: string | null, options: { guildRecord: boolean; ensureUser: boolean }): Promise<InteractionRow> {
    const row = await this.sql.selectOne<Row>(options.guildRecord ? WITH_RECORD : WITHOUT_RECORD, [userId, guildId, options.ensureUser]);
    const created = row?.created ?? null;
    const result: InteractionRow = {
      user: row?.user ?? null,
      guild: row?.guild ?? null,
      userRow: { created: created === true, reactivated: created === false },
    };
    if (options.guildRecord) result.guildRecord = row ? guildRecordOf(row) : null;
    return result;
  }
}

function guildRecordOf(row: Row): EntityRow | null {
  if (typeof row.guildId !== 'string' || !row.guild || !row.data || !row.createdAt || !row.updatedAt) return null;
  return {
    id: row.guildId,
    attributes: row.guild,
    data: row.data,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deactivatedAt: row.deactivatedAt ?? null,
  };
}
