import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JSONB_EMPTY_OBJECT } from './entity-columns';

export const GUILD_CACHE_SOURCES = ['bot_join', 'user_profile', 'api_call', 'manual', 'scheduled'] as const;
export type GuildCacheSource = (typeof GUILD_CACHE_SOURCES)[number];

/** What Moddy last learned about a guild, for lookups of guilds the bot may not be in. */
@Entity({ name: 'guilds_cache' })
@Check('chk_guilds_cache_update_source', `update_source IN (${GUILD_CACHE_SOURCES.map((source) => `'${source}'`).join(', ')})`)
export class GuildCacheEntity {
  @PrimaryColumn({ name: 'guild_id', type: 'bigint' })
  guildId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'icon_url', type: 'text', nullable: true })
  iconUrl!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  features!: string[];

  @Column({ name: 'member_count', type: 'integer', nullable: true })
  memberCount!: number | null;

  /** When the guild itself was created on Discord (derived from its snowflake). */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt!: Date | null;

  @Index('idx_guilds_cache_last_updated')
  @Column({ name: 'last_updated', type: 'timestamptz', default: () => 'now()' })
  lastUpdated!: Date;

  @Column({ name: 'update_source', type: 'varchar', length: 20 })
  updateSource!: GuildCacheSource;

  @Column({ name: 'raw_data', type: 'jsonb', default: () => JSONB_EMPTY_OBJECT })
  rawData!: Record<string, unknown>;
}
