import type { EntityType } from '../attributes/registry';

/**
 * Table and key column of each entity type. These are constants, never user input, so they are
 * the only identifiers ever spliced into SQL text; every value is a bound parameter.
 */
export const ENTITY_TABLES = {
  user: { table: 'users', key: 'user_id' },
  guild: { table: 'guilds', key: 'guild_id' },
} as const satisfies Record<EntityType, { table: string; key: string }>;
