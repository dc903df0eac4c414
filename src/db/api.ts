import type { AttributeName, AttributeValue, Attributes, EntityType } from '../attributes/registry';
import type { CacheStats, TierStats } from '../cache/stats';
import type { JsonObject, JsonValue } from '../core/json';
import type { GuildCacheSource } from './entities';

// Part of the data API's vocabulary, defined where they are counted.
export type { CacheStats, JsonObject, JsonValue, TierStats };

interface EntityRecord {
  attributes: Attributes;
  data: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the user or guild was marked inactive (never deleted). */
  deactivatedAt: Date | null;
}

export interface UserRecord extends EntityRecord {
  userId: string;
}

export interface GuildRecord extends EntityRecord {
  guildId: string;
}

/** Both attribute sets the interaction middleware needs, read together. */
export interface InteractionAttributes {
  user: Attributes;
  /** `null` for an interaction outside a guild (DMs). */
  guild: Attributes | null;
}

export interface SetAttributeResult {
  /** False when the value was already the stored one: no audit row was written. */
  changed: boolean;
  oldValue: AttributeValue | null;
  newValue: AttributeValue | null;
}

export interface AttributeChange {
  id: string;
  entityType: EntityType;
  entityId: string;
  attributeName: string;
  /** `null` = the attribute was absent. */
  oldValue: AttributeValue | null;
  newValue: AttributeValue | null;
  changedBy: string;
  changedAt: Date;
  reason: string;
}

export interface NewErrorRecord {
  errorCode: string;
  errorType: string;
  message: string;
  fileSource?: string | null;
  lineNumber?: number | null;
  traceback?: string | null;
  userId?: string | null;
  guildId?: string | null;
  command?: string | null;
  /** Default: now. */
  timestamp?: Date;
  context?: JsonObject;
}

export interface ErrorRecord {
  errorCode: string;
  errorType: string;
  message: string;
  fileSource: string | null;
  lineNumber: number | null;
  traceback: string | null;
  userId: string | null;
  guildId: string | null;
  command: string | null;
  timestamp: Date;
  context: JsonObject;
}

export interface CachedGuildInput {
  guildId: string;
  name: string;
  iconUrl?: string | null;
  features?: string[];
  memberCount?: number | null;
  /** When the guild was created on Discord. Default: derived from its snowflake. */
  createdAt?: Date | null;
  updateSource: GuildCacheSource;
  rawData?: JsonObject;
}

export interface CachedGuild {
  guildId: string;
  name: string;
  iconUrl: string | null;
  features: string[];
  memberCount: number | null;
  createdAt: Date | null;
  lastUpdated: Date;
  updateSource: GuildCacheSource;
  rawData: JsonObject;
}

export interface Stats {
  errors: number;
  users: number;
  guilds: number;
  activeGuilds: number;
  betaUsers: number;
  premiumUsers: number;
  blacklistedUsers: number;
}

export interface StreamOptions {
  /** IDs per yielded batch. Default 1000. */
  batchSize?: number;
}

/**
 * Moddy's data API: the design's operations in camelCase, same argument order.
 * Every ID is a snowflake string; bad input throws a `ValidationError` subclass before any query.
 */
export interface ModdyDatabase {
  hasAttribute(entityType: EntityType, id: string, name: AttributeName | string): Promise<boolean>;
  getAttribute(entityType: EntityType, id: string, name: AttributeName | string): Promise<AttributeValue | null>;
  getAttributes(entityType: EntityType, id: string): Promise<Attributes>;
  /** The user's and (when given) the guild's attributes in one read. */
  getInteractionAttributes(userId: string, guildId: string | null): Promise<InteractionAttributes>;
  /**
   * Sets an attribute and writes its audit row in one transaction; `false`/`null` removes a
   * boolean attribute, `null` a valued one. Creates the user/guild row if missing.
   */
  setAttribute(
    entityType: EntityType,
    id: string,
    name: AttributeName | string,
    value: AttributeValue | boolean | null,
    changedBy: string,
    reason: string,
  ): Promise<SetAttributeResult>;
  getUsersWithAttribute(name: AttributeName | string, value?: AttributeValue): Promise<string[]>;
  getGuildsWithAttribute(name: AttributeName | string, value?: AttributeValue): Promise<string[]>;
  /** The same query in batches, through a server-side cursor: a million matches never sit in memory. */
  streamUsersWithAttribute(name: AttributeName | string, value?: AttributeValue, options?: StreamOptions): AsyncIterable<string[]>;
  streamGuildsWithAttribute(name: AttributeName | string, value?: AttributeValue, options?: StreamOptions): AsyncIterable<string[]>;

  getUser(id: string): Promise<UserRecord | null>;
  getGuild(id: string): Promise<GuildRecord | null>;
  /** Creates the user's row on their first interaction (and reactivates it); true when it was created. */
  ensureUser(id: string): Promise<boolean>;
  /** Creates the guild's row when the bot joins, or reactivates it; true when it was created. */
  ensureGuild(id: string): Promise<boolean>;
  /** Soft delete: marks the row inactive. Returns false when there was no active row. */
  deactivateUser(id: string): Promise<boolean>;
  deactivateGuild(id: string): Promise<boolean>;
  /** Sets a dotted path (`preferences.timezone`) atomically, creating missing intermediate objects. */
  updateUserData(id: string, path: string, value: JsonValue): Promise<void>;
  updateGuildData(id: string, path: string, value: JsonValue): Promise<void>;
  /** Audit rows of one entity, oldest first (the latest `limit`, default 100). */
  getAttributeHistory(entityType: EntityType, id: string, options?: { limit?: number }): Promise<AttributeChange[]>;

  /** Inserts one error; a code already stored is left as it is. True when inserted. */
  recordError(record: NewErrorRecord): Promise<boolean>;
  /** Inserts many errors in one statement, idempotent per code. Returns how many were new. */
  recordErrors(records: readonly NewErrorRecord[]): Promise<number>;
  /** Looks an error up by code, in any case and with the usual look-alike slips (O→0, I/L→1). */
  getError(code: string): Promise<ErrorRecord | null>;
  /** Deletes errors older than `days` in bounded batches; returns how many. */
  cleanupOldErrors(days: number, options?: { batchSize?: number }): Promise<number>;

  /** A `guilds_cache` row younger than `maxAgeDays` (default 7), else null. */
  getCachedGuild(id: string, maxAgeDays?: number): Promise<CachedGuild | null>;
  upsertCachedGuild(guild: CachedGuildInput): Promise<void>;
  /** Deletes `guilds_cache` rows older than `maxAgeDays` in bounded batches; returns how many. */
  cleanupGuildsCache(maxAgeDays: number, options?: { batchSize?: number }): Promise<number>;

  /** Deletes rows of the cache tier's invalidation log (`cache_invalidations`) older than `maxAgeMinutes`; returns how many. */
  cleanupCacheInvalidations(maxAgeMinutes: number, options?: { batchSize?: number }): Promise<number>;

  getStats(): Promise<Stats>;
  getCacheStats(): CacheStats;
  close(): Promise<void>;
}
