import type { DataSource } from 'typeorm';
import type { CachedGuild } from '../api';
import { deleteInBatches, selectOne } from '../sql';

const COLUMNS = `guild_id::text AS "guildId", name, icon_url AS "iconUrl", features, member_count AS "memberCount",
  created_at AS "createdAt", last_updated AS "lastUpdated", update_source AS "updateSource", raw_data AS "rawData"`;

/** SQL for `guilds_cache`, the lookup cache of guilds. Inputs arrive validated. */
export class GuildCacheRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findFresh(id: string, maxAgeDays: number): Promise<CachedGuild | null> {
    const row = await selectOne<CachedGuild>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM guilds_cache WHERE guild_id = $1 AND last_updated > now() - $2 * interval '1 day'`,
      [id, maxAgeDays],
    );
    return row ?? null;
  }

  async upsert(guild: Omit<CachedGuild, 'lastUpdated'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO guilds_cache (guild_id, name, icon_url, features, member_count, created_at, last_updated, update_source, raw_data)
       VALUES ($1, $2, $3, $4::text[], $5, $6, now(), $7, $8::jsonb)
       ON CONFLICT (guild_id) DO UPDATE SET
         name = EXCLUDED.name, icon_url = EXCLUDED.icon_url, features = EXCLUDED.features,
         member_count = EXCLUDED.member_count, created_at = EXCLUDED.created_at, last_updated = now(),
         update_source = EXCLUDED.update_source, raw_data = EXCLUDED.raw_data`,
      [
        guild.guildId,
        guild.name,
        guild.iconUrl,
        guild.features,
        guild.memberCount,
        guild.createdAt,
        guild.updateSource,
        JSON.stringify(guild.rawData),
      ],
    );
  }

  deleteOlderThan(days: number, batchSize: number): Promise<number> {
    return deleteInBatches(this.dataSource, 'guilds_cache', 'guild_id', `last_updated < now() - $1 * interval '1 day'`, [days], batchSize);
  }
}
