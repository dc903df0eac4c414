import type { DataSource } from 'typeorm';
import type { AttributeName, AttributeValue, Attributes, EntityType } from '../attributes/registry';
import { assertEntityType, normaliseAttributeValue, normaliseQueryValue, resolveAttribute } from '../attributes/validate';
import { InvalidArgumentError } from '../core/moddy-error';
import { assertSnowflake, snowflakeDate } from '../core/snowflake';
import { normaliseErrorCode } from '../core/error-code';
import type {
  AttributeChange,
  CacheStats,
  CachedGuild,
  CachedGuildInput,
  ErrorRecord,
  GuildRecord,
  InteractionAttributes,
  InteractionStart,
  InteractionStartOptions,
  JsonValue,
  ModdyDatabase,
  NewErrorRecord,
  SetAttributeResult,
  Stats,
  StreamOptions,
  UserRecord,
} from './api';
import { streamWithDatabaseErrors, withDatabaseErrors } from './database-errors';
import { parseDataPath, serialiseDataValue } from './data-path';
import { PreparedSql } from './prepared-sql';
import { GUILD_CACHE_SOURCES } from './entities';
import { AttributeRepository } from './repositories/attribute-repository';
import { CacheInvalidationRepository } from './repositories/cache-invalidation-repository';
import { EntityRepository } from './repositories/entity-repository';
import { ErrorRepository, validateErrorRecords } from './repositories/error-repository';
import { GuildCacheRepository } from './repositories/guild-cache-repository';
import { InteractionRepository } from './repositories/interaction-repository';
import { StatsRepository } from './repositories/stats-repository';
import {
  assertNumberInRange,
  assertObjectArgument,
  assertOptionalDate,
  assertOptionalText,
  assertStorableText,
  assertText,
} from './validate-input';

export interface PostgresDatabaseOptions {
  /** Largest encoded JSON value accepted by `updateUserData`/`updateGuildData`. Default 64 KiB. */
  maxDataValueBytes?: number;
  /** Rows per statement of the batched purges. Default 5000. */
  purgeBatchSize?: number;
  /**
   * Run the interaction path's statements as named prepared statements (`PreparedSql`). False
   * through PgBouncer in transaction mode (`DATABASE_PGBOUNCER`). Default true.
   */
  preparedStatements?: boolean;
}

const MAX_REASON_LENGTH = 500;
const MAX_HISTORY = 1000;

/**
 * The data API straight on PostgreSQL (no cache). Every argument is validated before any query,
 * so bad input throws a `ValidationError` and changes nothing.
 */
export class PostgresDatabase implements ModdyDatabase {
  private readonly attributes: AttributeRepository;
  private readonly entities: EntityRepository;
  private readonly errors: ErrorRepository;
  private readonly guildCache: GuildCacheRepository;
  private readonly interactions: InteractionRepository;
  private readonly stats: StatsRepository;
  /** The cache tier's log of invalidations that could not reach Redis (`cache_invalidations`). */
  readonly invalidationLog: CacheInvalidationRepository;
  private readonly maxDataValueBytes: number;
  private readonly purgeBatchSize: number;
  private loads = 0;

  constructor(
    readonly dataSource: DataSource,
    options: PostgresDatabaseOptions = {},
  ) {
    const prepared = new PreparedSql(dataSource, options.preparedStatements ?? true);
    this.attributes = new AttributeRepository(dataSource, prepared);
    this.entities = new EntityRepository(dataSource, prepared);
    this.errors = new ErrorRepository(dataSource);
    this.guildCache = new GuildCacheRepository(dataSource);
    this.interactions = new InteractionRepository(prepared);
    this.stats = new StatsRepository(dataSource);
    this.invalidationLog = new CacheInvalidationRepository(dataSource);
    this.maxDataValueBytes = options.maxDataValueBytes ?? 64 * 1024;
    this.purgeBatchSize = options.purgeBatchSize ?? 5000;
  }

  async hasAttribute(entityType: EntityType, id: string, name: AttributeName | string): Promise<boolean> {
    return (await this.getAttribute(entityType, id, name)) !== null;
  }

  async getAttribute(entityType: EntityType, id: string, name: AttributeName | string): Promise<AttributeValue | null> {
    const type = assertEntityType(entityType);
    const attribute = resolveAttribute(type, name);
    const attributes = await this.getAttributes(type, id);
    return attributes[attribute.name] ?? null;
  }

  async getAttributes(entityType: EntityType, id: string): Promise<Attributes> {
    const type = assertEntityType(entityType);
    const snowflake = assertSnowflake(id);
    this.loads += 1;
    return (await withDatabaseErrors(this.attributes.getAttributes(type, snowflake))) ?? {};
  }

  async getInteractionAttributes(userId: string, guildId: string | null): Promise<InteractionAttributes> {
    const user = assertSnowflake(userId, 'user ID');
    const guild = guildId === null ? null : assertSnowflake(guildId, 'guild ID');
    this.loads += 1;
    const row = await withDatabaseErrors(this.attributes.getInteractionAttributes(user, guild));
    return { user: row.user ?? {}, guild: guild === null ? null : (row.guild ?? {}) };
  }

  async beginInteraction(userId: string, guildId: string | null, options: InteractionStartOptions = {}): Promise<InteractionStart> {
    const user = assertSnowflake(userId, 'user ID');
    const guild = guildId === null ? null : assertSnowflake(guildId, 'guild ID');
    const guildRecord = options.guildRecord === true && guild !== null;
    this.loads += 1;
    const row = await withDatabaseErrors(this.interactions.load(user, guild, { guildRecord, ensureUser: options.ensureUser === true }));
    const start: InteractionStart = { user: row.user ?? {}, guild: guild === null ? null : (row.guild ?? {}), userRow: row.userRow };
    if (guildRecord) start.guildRecord = row.guildRecord ? { guildId: row.guildRecord.id, ...withoutId(row.guildRecord) } : null;
    return start;
  }

  async setAttribute(
    entityType: EntityType,
    id: string,
    name: AttributeName | string,
    value: AttributeValue | boolean | null,
    changedBy: string,
    reason: string,
  ): Promise<SetAttributeResult> {
    const type = assertEntityType(entityType);
    const snowflake = assertSnowflake(id);
    const attribute = resolveAttribute(type, name);
    const stored = normaliseAttributeValue(attribute.name, attribute.definition, value);
    const change = {
      entityType: type,
      id: snowflake,
      name: attribute.name,
      value: stored,
      changedBy: assertSnowflake(changedBy, 'changedBy'),
      reason: assertText('reason', reason, MAX_REASON_LENGTH),
    };
    return withDatabaseErrors(this.attributes.setAttribute(change));
  }

  async getUsersWithAttribute(name: AttributeName | string, value?: AttributeValue): Promise<string[]> {
    const query = this.attributeQuery('user', name, value);
    return withDatabaseErrors(this.attributes.idsWithAttribute('user', query.name, query.value));
  }

  async getGuildsWithAttribute(name: AttributeName | string, value?: AttributeValue): Promise<string[]> {
    const query = this.attributeQuery('guild', name, value);
    return withDatabaseErrors(this.attributes.idsWithAttribute('guild', query.name, query.value));
  }

  streamUsersWithAttribute(name: AttributeName | string, value?: AttributeValue, options?: StreamOptions): AsyncIterable<string[]> {
    const query = this.attributeQuery('user', name, value);
    return streamWithDatabaseErrors(this.attributes.streamIdsWithAttribute('user', query.name, query.value, this.batchSize(options)));
  }

  streamGuildsWithAttribute(name: AttributeName | string, value?: AttributeValue, options?: StreamOptions): AsyncIterable<string[]> {
    const query = this.attributeQuery('guild', name, value);
    return streamWithDatabaseErrors(this.attributes.streamIdsWithAttribute('guild', query.name, query.value, this.batchSize(options)));
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const row = await this.findEntity('user', id);
    return row && { userId: row.id, ...withoutId(row) };
  }

  async getGuild(id: string): Promise<GuildRecord | null> {
    const row = await this.findEntity('guild', id);
    return row && { guildId: row.id, ...withoutId(row) };
  }

  async ensureUser(id: string): Promise<boolean> {
    return (await this.ensureEntity('user', id)).created;
  }

  async ensureGuild(id: string): Promise<boolean> {
    return (await this.ensureEntity('guild', id)).created;
  }

  /** `ensureUser`/`ensureGuild` telling also whether an inactive row was reactivated (the cache tier invalidates on either). */
  async ensureEntity(entityType: EntityType, id: string): Promise<{ created: boolean; reactivated: boolean }> {
    return withDatabaseErrors(this.entities.ensure(assertEntityType(entityType), assertSnowflake(id, `${entityType} ID`)));
  }

  async deactivateUser(id: string): Promise<boolean> {
    return withDatabaseErrors(this.entities.deactivate('user', assertSnowflake(id, 'user ID')));
  }

  async deactivateGuild(id: string): Promise<boolean> {
    return withDatabaseErrors(this.entities.deactivate('guild', assertSnowflake(id, 'guild ID')));
  }

  async updateUserData(id: string, path: string, value: JsonValue): Promise<void> {
    return this.updateData('user', id, path, value);
  }

  async updateGuildData(id: string, path: string, value: JsonValue): Promise<void> {
    return this.updateData('guild', id, path, value);
  }

  async getAttributeHistory(entityType: EntityType, id: string, options: { limit?: number } = {}): Promise<AttributeChange[]> {
    const type = assertEntityType(entityType);
    const snowflake = assertSnowflake(id);
    const limit = assertNumberInRange('limit', options.limit ?? 100, 1, MAX_HISTORY, true);
    return withDatabaseErrors(this.attributes.history(type, snowflake, limit));
  }

  async recordError(record: NewErrorRecord): Promise<boolean> {
    return (await this.recordErrors([record])) === 1;
  }

  async recordErrors(records: readonly NewErrorRecord[]): Promise<number> {
    return withDatabaseErrors(this.errors.insertMany(validateErrorRecords(records)));
  }

  async getError(code: string): Promise<ErrorRecord | null> {
    const canonical = normaliseErrorCode(code);
    this.loads += 1;
    return withDatabaseErrors(this.errors.find(canonical));
  }

  async cleanupOldErrors(days: number, options: { batchSize?: number } = {}): Promise<number> {
    assertNumberInRange('days', days, 0, 36_500);
    return withDatabaseErrors(this.errors.deleteOlderThan(days, this.purgeBatch(options)));
  }

  async getCachedGuild(id: string, maxAgeDays = 7): Promise<CachedGuild | null> {
    const snowflake = assertSnowflake(id, 'guild ID');
    assertNumberInRange('maxAgeDays', maxAgeDays, 0, 36_500);
    this.loads += 1;
    return withDatabaseErrors(this.guildCache.findFresh(snowflake, maxAgeDays));
  }

  async upsertCachedGuild(guild: CachedGuildInput): Promise<void> {
    return withDatabaseErrors(this.guildCache.upsert(this.validateCachedGuild(guild)));
  }

  async cleanupGuildsCache(maxAgeDays: number, options: { batchSize?: number } = {}): Promise<number> {
    assertNumberInRange('maxAgeDays', maxAgeDays, 0, 36_500);
    return withDatabaseErrors(this.guildCache.deleteOlderThan(maxAgeDays, this.purgeBatch(options)));
  }

  async cleanupCacheInvalidations(maxAgeMinutes: number, options: { batchSize?: number } = {}): Promise<number> {
    assertNumberInRange('maxAgeMinutes', maxAgeMinutes, 0, 525_600);
    return withDatabaseErrors(this.invalidationLog.deleteOlderThan(maxAgeMinutes * 60_000, this.purgeBatch(options)));
  }

  async getStats(): Promise<Stats> {
    return withDatabaseErrors(this.stats.get());
  }

  getCacheStats(): CacheStats {
    const tier = { hits: 0, misses: 0, loads: 0, invalidations: 0, errors: 0 };
    return { enabled: false, local: { ...tier }, redis: { ...tier }, database: { loads: this.loads } };
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private findEntity(entityType: EntityType, id: string) {
    const snowflake = assertSnowflake(id, `${entityType} ID`);
    this.loads += 1;
    return withDatabaseErrors(this.entities.find(entityType, snowflake));
  }

  private async updateData(entityType: EntityType, id: string, path: string, value: JsonValue): Promise<void> {
    const snowflake = assertSnowflake(id, `${entityType} ID`);
    const segments = parseDataPath(path);
    const json = serialiseDataValue(value, this.maxDataValueBytes);
    await withDatabaseErrors(this.entities.setDataPath(entityType, snowflake, segments, json));
  }

  private attributeQuery(entityType: EntityType, name: AttributeName | string, value: AttributeValue | undefined) {
    const attribute = resolveAttribute(entityType, name);
    return { name: attribute.name, value: normaliseQueryValue(attribute.name, attribute.definition, value) };
  }

  private batchSize(options: StreamOptions | undefined): number {
    return assertNumberInRange('batchSize', options?.batchSize ?? 1000, 1, 100_000, true);
  }

  private purgeBatch(options: { batchSize?: number }): number {
    return assertNumberInRange('batchSize', options.batchSize ?? this.purgeBatchSize, 1, 100_000, true);
  }

  private validateCachedGuild(input: CachedGuildInput): Omit<CachedGuild, 'lastUpdated'> {
    const guild = assertObjectArgument('guild', input);
    const guildId = assertSnowflake(guild.guildId, 'guild ID');
    if (!GUILD_CACHE_SOURCES.includes(guild.updateSource)) {
      throw new InvalidArgumentError(`updateSource must be one of ${GUILD_CACHE_SOURCES.join(', ')}`);
    }
    const features: unknown = guild.features ?? [];
    if (!Array.isArray(features) || features.length > 100 || features.some((f) => typeof f !== 'string' || f.length > 64)) {
      throw new InvalidArgumentError('features must be at most 100 strings of at most 64 characters');
    }
    for (const feature of features as string[]) assertStorableText('a feature', feature);
    const memberCount = guild.memberCount ?? null;
    if (memberCount !== null) assertNumberInRange('memberCount', memberCount, 0, 2 ** 31 - 1, true);
    const rawData = JSON.parse(serialiseDataValue(guild.rawData ?? {}, this.maxDataValueBytes)) as unknown;
    if (typeof rawData !== 'object' || rawData === null || Array.isArray(rawData))
      throw new InvalidArgumentError('rawData must be an object');
    return {
      guildId,
      name: assertText('name', guild.name, 100),
      iconUrl: assertOptionalText('iconUrl', guild.iconUrl, 2048),
      features: [...(features as string[])],
      memberCount,
      createdAt: guild.createdAt === undefined ? snowflakeDate(guildId) : assertOptionalDate('createdAt', guild.createdAt, null),
      updateSource: guild.updateSource,
      rawData: rawData as CachedGuild['rawData'],
    };
  }
}

function withoutId<T extends { id: string }>(row: T): Omit<T, 'id'> {
  const { id: _id, ...rest } = row;
  return rest;
}
