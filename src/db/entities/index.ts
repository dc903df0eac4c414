import { AttributeChangeEntity } from './attribute-change.entity';
import { CacheInvalidationEntity } from './cache-invalidation.entity';
import { ErrorRecordEntity } from './error-record.entity';
import { GuildCacheEntity } from './guild-cache.entity';
import { GuildEntity } from './guild.entity';
import { UserEntity } from './user.entity';

export { AttributeChangeEntity, CacheInvalidationEntity, ErrorRecordEntity, GuildCacheEntity, GuildEntity, UserEntity };
export { GUILD_CACHE_SOURCES, type GuildCacheSource } from './guild-cache.entity';

export const ENTITIES = [ErrorRecordEntity, GuildCacheEntity, UserEntity, GuildEntity, AttributeChangeEntity, CacheInvalidationEntity];
