import type { RedisConnection } from '../redis';
import type { AttributeName, AttributeValue, Attributes, EntityType } from '../attributes/registry';
import { withDeadline } from '../core/deadline';
import { assertEntityType, resolveAttribute } from '../attributes/validate';
import { ValidationError } from '../core/moddy-error';
import { assertSnowflake } from '../core/snowflake';
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
} from '../db/api';
import { assertNumberInRange } from '../db/validate-input';
import { attributesCodec, guildRecordCodec, lookupCodec, userRecordCodec, type Codec } from './codec';
import { RedisHealth, type CacheLogger } from './health';
import { InvalidationBus, type ConfirmationOptions } from './invalidation-bus';
import { InvalidationLogPoller, type InvalidationLogStore } from './invalidation-log';
import { Invalidator } from './invalidator';
import { CacheKeys, type CacheKind } from './keys';
import { LocalCache } from './local-cache';
import type { ResolvedCacheOptions } from './options';
import { entryOf, ReadThrough, type EntrySpace, type EntrySpec } from './read-through';
import { checkRedisEpoch } from './redis-epoch';
import { RedisStore } from './redis-store';
import { SingleFlight } from './single-flight';
import { CacheCounters } from './stats';

/** The uncached API, also telling whether `ensureUser`/`ensureGuild` reactivated a row (`PostgresDatabase`). */
export interface CacheableDatabase extends ModdyDatabase {
  ensureEntity(entityType: EntityType, id: string): Promise<{ created: boolean; reactivated: boolean }>;
  /** The PostgreSQL log of invalidations that could not reach Redis (see docs/cache.md). */
  readonly invalidationLog: InvalidationLogStore;
}

export interface CachedDatabaseDeps {
  inner: CacheableDatabase;
  /** Command connection: must fail fast (see `createCacheRedisClients`). */
  redis: RedisConnection;
  /** Subscriber connection, used for nothing else. */
  subscriber: RedisConnection;
  options: ResolvedCacheOptions;
  logger: CacheLogger;
}

/** Any `guilds_cache` row is cached whatever its age; the caller's freshness rule is applied on read. */
const ANY_AGE_DAYS = 36_500;
const DAY_MS = 86_400_000;

/**
 * The data API behind the cache tiers: reads of attributes, records and guild lookups go local LRU →
 * Redis → PostgreSQL; writes commit to PostgreSQL, then invalidate everywhere before they return.
 * Everything else goes straight to PostgreSQL. See docs/cache.md.
 */
export class CachedDatabase implements ModdyDatabase {
  readonly keys: CacheKeys;
  private readonly inner: CacheableDatabase;
  private readonly redis: RedisConnection;
  private readonly subscriber: RedisConnection;
  private readonly counters = new CacheCounters();
  private readonly local: LocalCache;
  private readonly health: RedisHealth;
  private readonly bus: InvalidationBus;
  private readonly confirmation: ConfirmationOptions;
  private readonly invalidator: Invalidator;
  private readonly reads: ReadThrough;
  private readonly flights = new SingleFlight();
  private readonly logPoller: InvalidationLogPoller | undefined;
  /** The Redis epoch this process last checked (see `checkRedisEpoch`); none before the first. */
  private epoch: string | undefined;
  private readonly spaces: {
    attrs: Readonly<Record<EntityType, EntrySpace<Attributes>>>;
    userRecord: EntrySpace<UserRecord | null>;
    guildRecord: EntrySpace<GuildRecord | null>;
    lookup: EntrySpace<CachedGuild | null>;
  };

  /** Use `start()` next (or `createCachedDatabase`), which waits briefly for Redis. */
  constructor({ inner, redis, subscriber, options, logger }: CachedDatabaseDeps) {
    this.inner = inner;
    this.redis = redis;
    this.subscriber = subscriber;
    this.keys = new CacheKeys(options.prefix);
    const ttlMs = {
      attrs: options.attributesTtlSeconds * 1000,
      record: options.recordsTtlSeconds * 1000,
      lookup: options.lookupsTtlSeconds * 1000,
    };
    const space = <T>(kind: CacheKind, entityType: EntityType, codec: Codec<T>, ttl: number, cachesNull = true): EntrySpace<T> => ({
      prefix: this.keys.space(kind, entityType),
      codec,
      ttlMs: ttl,
      cachesNull,
    });
    this.spaces = {
      attrs: { user: space('attrs', 'user', attributesCodec, ttlMs.attrs), guild: space('attrs', 'guild', attributesCodec, ttlMs.attrs) },
      // A user's row is created by their first interaction: were an absent row cached, every
      // first-seen user would cost an invalidation sent to every process. Nothing in the bot reads
      // the record of a user who has no row; the attributes space still caches them as absent.
      userRecord: space('record', 'user', userRecordCodec, ttlMs.record, false),
      guildRecord: space('record', 'guild', guildRecordCodec, ttlMs.record),
      lookup: space('lookup', 'guild', lookupCodec, ttlMs.lookup),
    };
    const longestTtlMs = Math.max(...Object.values(ttlMs));
    this.local = new LocalCache(options.localTtlMs > 0 ? options.localMaxEntries : 0);
    this.confirmation = confirmationOf(options.localTtlMs);
    const flights = this.flights;
    const store = new RedisStore(redis, this.keys, 2 * longestTtlMs, options.redisTimeoutMs);
    const bus = (this.bus = new InvalidationBus(subscriber, this.keys.channel, {
      onMessage: (message) => this.invalidator.apply(message),
      onLost: (reason) => this.health.fail(reason),
      onResubscribed: () => {
        this.local.clear();
        flights.invalidateAll();
      },
    }));
    this.health = new RedisHealth({
      probe: async () => {
        if (redis.status !== 'ready' || !bus.listening) throw new Error('Redis connections not ready');
        // Both connections answer: the command one, and the subscription, whose answer confirms the stream.
        await withDeadline(Promise.all([redis.ping(), bus.confirm()]), options.redisTimeoutMs, 'Redis PING');
      },
      beforeUp: async () => {
        this.epoch = await checkRedisEpoch(redis, this.keys, () => this.invalidator.flushAll(), logger, this.epoch);
        await this.invalidator.replay();
        // Lost meanwhile (the breaker, not up yet, did not count it): not up until subscribed again.
        if (!bus.listening) throw new Error('subscription to the invalidation channel lost');
      },
      onTransition: () => {
        this.local.clear();
        flights.invalidateAll();
        // Back in Redis: apply at once what partitioned writers logged meanwhile.
        if (this.health.up) void this.logPoller?.poll();
      },
      probeIntervalMs: options.probeIntervalMs,
      commandTimeoutMs: options.redisTimeoutMs,
      logger,
    });
    redis.on('error', (error: Error) => this.health.fail(error));
    redis.on('close', () => this.health.fail('command connection closed'));
    const shared = { local: this.local, flights, store, health: this.health, counters: this.counters };
    this.invalidator = new Invalidator({
      ...shared,
      keys: this.keys,
      maxPending: options.maxPendingInvalidations,
      log: options.invalidationLogPollMs > 0 ? inner.invalidationLog : undefined,
      logger,
    });
    this.logPoller =
      options.invalidationLogPollMs > 0
        ? new InvalidationLogPoller({
            store: inner.invalidationLog,
            apply: (keys) => this.invalidator.applyLogged(keys),
            intervalMs: options.invalidationLogPollMs,
            firstWindowMs: longestTtlMs,
            logger,
          })
        : undefined;
    this.reads = new ReadThrough({
      ...shared,
      stream: bus,
      localTtlMs: options.localTtlMs,
      localMaxAgeMs: options.localMaxAgeMs,
      outageLocalTtlMs: options.outageLocalTtlMs,
    });
  }

  /** Starts probing Redis; resolves once it is up, or after `timeoutMs` in degraded mode (logged). */
  async start(timeoutMs: number): Promise<this> {
    this.health.start();
    this.logPoller?.start();
    if (this.local.enabled) this.bus.startConfirming(this.confirmation);
    await this.health.waitUntilUp(timeoutMs);
    return this;
  }

  /** The ID this process signs its invalidation messages with (see `decodeInvalidation`); it ignores its own. */
  get invalidationOrigin(): string {
    return this.invalidator.origin;
  }

  /** Whether the Redis tier is in use right now. */
  get redisUp(): boolean {
    return this.health.up;
  }

  /*
   * The attribute reads are the hottest path of the bot. A local hit is answered before the ID is
   * validated: entries are stored only under validated IDs, so an invalid ID (a string, checked
   * here) can only miss, and a miss validates everything before counting or reading any tier. The
   * entity type and attribute name are checked first, hit or miss, with their typed errors.
   */

  async hasAttribute(entityType: EntityType, id: string, name: AttributeName | string): Promise<boolean> {
    const attribute = attributeOf(entityType, name);
    const attributes = this.localAttributes(entityType, id) ?? (await this.loadAttributes(entityType, id));
    return attributes[attribute] !== undefined;
  }

  async getAttribute(entityType: EntityType, id: string, name: AttributeName | string): Promise<AttributeValue | null> {
    const attribute = attributeOf(entityType, name);
    const attributes = this.localAttributes(entityType, id) ?? (await this.loadAttributes(entityType, id));
    return attributes[attribute] ?? null;
  }

  async getAttributes(entityType: EntityType, id: string): Promise<Attributes> {
    const type = assertEntityType(entityType);
    return attributesCodec.copy(this.localAttributes(type, id) ?? (await this.loadAttributes(type, id)));
  }

  async getInteractionAttributes(userId: string, guildId: string | null): Promise<InteractionAttributes> {
    if (typeof userId === 'string' && (guildId === null || typeof guildId === 'string')) {
      const userHit = this.reads.lookup(this.spaces.attrs.user, userId);
      const guildHit = guildId === null ? null : this.reads.lookup(this.spaces.attrs.guild, guildId);
      if (userHit !== undefined && guildHit !== undefined) {
        this.reads.countLocalHits(guildHit === null ? 1 : 2);
        return { user: attributesCodec.copy(userHit), guild: guildHit === null ? null : attributesCodec.copy(guildHit) };
      }
    }
    const user = assertSnowflake(userId, 'user ID');
    const guild = guildId === null ? null : assertSnowflake(guildId, 'guild ID');
    const userSpec = entryOf(this.spaces.attrs.user, user);
    if (guild === null) {
      const attributes = await this.reads.get(userSpec, () => this.inner.getAttributes('user', user));
      return { user: attributesCodec.copy(attributes), guild: null };
    }
    const guildSpec = entryOf(this.spaces.attrs.guild, guild);
    const [userAttributes = {}, guildAttributes = {}] = await this.reads.getMany([userSpec, guildSpec], async (missing) => {
      if (missing.length === 2) {
        const both = await this.inner.getInteractionAttributes(user, guild);
        return [both.user, both.guild ?? {}];
      }
      return missing[0] === userSpec ? [await this.inner.getAttributes('user', user)] : [await this.inner.getAttributes('guild', guild)];
    });
    return { user: attributesCodec.copy(userAttributes), guild: attributesCodec.copy(guildAttributes) };
  }

  /**
   * The user's and guild's attributes and the guild's record are one `getMany`: one MGET, and when
   * anything misses, one SQL statement that also ensures the user's row. When everything hit, the
   * row is ensured on its own (an active row is only read). A reactivated row invalidates the user's
   * record; a created one has nothing to invalidate (absent user records are not cached).
   * The guild's record holds its attributes (an attribute write invalidates both entries): when the
   * record is asked, it alone is read, one entry fewer per interaction in every tier.
   */
  async beginInteraction(userId: string, guildId: string | null, options: InteractionStartOptions = {}): Promise<InteractionStart> {
    const user = assertSnowflake(userId, 'user ID');
    const guild = guildId === null ? null : assertSnowflake(guildId, 'guild ID');
    const ensureUser = options.ensureUser === true;
    const withRecord = guild !== null && options.guildRecord === true;
    // One space per entry, each with its own value type: getMany hands each entry back in its position.
    const userSpec: EntrySpec<InteractionEntry> = entryOf(this.spaces.attrs.user, user);
    const guildSpec: EntrySpec<InteractionEntry> | null =
      guild === null ? null : withRecord ? entryOf(this.spaces.guildRecord, guild) : entryOf(this.spaces.attrs.guild, guild);
    let userRow: InteractionStart['userRow'] | undefined;
    let recordInvalidated: Promise<void> | undefined;
    let values: InteractionEntry[];
    try {
      values = await this.reads.getMany(guildSpec === null ? [userSpec] : [userSpec, guildSpec], async (missing) => {
        const row = await this.inner.beginInteraction(user, guild, { guildRecord: withRecord, ensureUser });
        if (ensureUser) userRow = row.userRow;
        // Sent now, it shares one Redis round trip with the fill that follows the load; awaited before returning.
        if (userRow !== undefined) recordInvalidated = this.afterEnsure('user', user, userRow);
        return missing.map((spec) => (spec === userSpec ? row.user : withRecord ? (row.guildRecord ?? null) : (row.guild ?? {})));
      });
    } catch (error) {
      // The statement may have committed the user's row before failing.
      if (ensureUser && !(error instanceof ValidationError)) {
        await (recordInvalidated ?? this.invalidator.invalidate([this.keys.record('user', user)]));
      }
      throw error;
    }
    await recordInvalidated;
    const [userAttributes = {}, guildEntry = null] = values as [Attributes, InteractionEntry?];
    if (userRow === undefined) {
      userRow =
        ensureUser && userAttributes.BLACKLISTED !== true ? await this.ensure('user', user) : { created: false, reactivated: false };
    }
    const record = withRecord ? (guildEntry as GuildRecord | null) : undefined;
    const guildAttributes = record === undefined ? ((guildEntry ?? {}) as Attributes) : (record?.attributes ?? {});
    const start: InteractionStart = {
      user: attributesCodec.copy(userAttributes),
      guild: guild === null ? null : attributesCodec.copy(guildAttributes),
      userRow,
    };
    if (record !== undefined) start.guildRecord = guildRecordCodec.copy(record);
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
    return this.writeThrough(
      () => this.inner.setAttribute(entityType, id, name, value, changedBy, reason),
      () => [this.keys.attributes(entityType, id), this.keys.record(entityType, id)],
    );
  }

  getUsersWithAttribute(name: AttributeName | string, value?: AttributeValue): Promise<string[]> {
    return this.inner.getUsersWithAttribute(name, value);
  }

  getGuildsWithAttribute(name: AttributeName | string, value?: AttributeValue): Promise<string[]> {
    return this.inner.getGuildsWithAttribute(name, value);
  }

  streamUsersWithAttribute(name: AttributeName | string, value?: AttributeValue, options?: StreamOptions): AsyncIterable<string[]> {
    return this.inner.streamUsersWithAttribute(name, value, options);
  }

  streamGuildsWithAttribute(name: AttributeName | string, value?: AttributeValue, options?: StreamOptions): AsyncIterable<string[]> {
    return this.inner.streamGuildsWithAttribute(name, value, options);
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const user = assertSnowflake(id, 'user ID');
    return userRecordCodec.copy(await this.reads.get(entryOf(this.spaces.userRecord, user), () => this.inner.getUser(user)));
  }

  async getGuild(id: string): Promise<GuildRecord | null> {
    const guild = assertSnowflake(id, 'guild ID');
    return guildRecordCodec.copy(await this.reads.get(entryOf(this.spaces.guildRecord, guild), () => this.inner.getGuild(guild)));
  }

  async ensureUser(id: string): Promise<boolean> {
    return (await this.ensure('user', id)).created;
  }

  async ensureGuild(id: string): Promise<boolean> {
    return (await this.ensure('guild', id)).created;
  }

  deactivateUser(id: string): Promise<boolean> {
    return this.writeThrough(
      () => this.inner.deactivateUser(id),
      () => [this.keys.record('user', id)],
      (changed) => changed,
    );
  }

  deactivateGuild(id: string): Promise<boolean> {
    return this.writeThrough(
      () => this.inner.deactivateGuild(id),
      () => [this.keys.record('guild', id)],
      (changed) => changed,
    );
  }

  updateUserData(id: string, path: string, value: JsonValue): Promise<void> {
    return this.writeThrough(
      () => this.inner.updateUserData(id, path, value),
      () => [this.keys.record('user', id)],
    );
  }

  updateGuildData(id: string, path: string, value: JsonValue): Promise<void> {
    return this.writeThrough(
      () => this.inner.updateGuildData(id, path, value),
      () => [this.keys.record('guild', id)],
    );
  }

  getAttributeHistory(entityType: EntityType, id: string, options?: { limit?: number }): Promise<AttributeChange[]> {
    return this.inner.getAttributeHistory(entityType, id, options);
  }

  recordError(record: NewErrorRecord): Promise<boolean> {
    return this.inner.recordError(record);
  }

  recordErrors(records: readonly NewErrorRecord[]): Promise<number> {
    return this.inner.recordErrors(records);
  }

  getError(code: string): Promise<ErrorRecord | null> {
    return this.inner.getError(code);
  }

  cleanupOldErrors(days: number, options?: { batchSize?: number }): Promise<number> {
    return this.inner.cleanupOldErrors(days, options);
  }

  /** The design's freshness rule (a row older than `maxAgeDays` is a miss) applies on top of the Redis TTL. */
  async getCachedGuild(id: string, maxAgeDays = 7): Promise<CachedGuild | null> {
    const guild = assertSnowflake(id, 'guild ID');
    assertNumberInRange('maxAgeDays', maxAgeDays, 0, ANY_AGE_DAYS);
    const row = await this.reads.get(entryOf(this.spaces.lookup, guild), () => this.inner.getCachedGuild(guild, ANY_AGE_DAYS));
    if (row === null || row.lastUpdated.getTime() <= Date.now() - maxAgeDays * DAY_MS) return null;
    return lookupCodec.copy(row);
  }

  upsertCachedGuild(guild: CachedGuildInput): Promise<void> {
    return this.writeThrough(
      () => this.inner.upsertCachedGuild(guild),
      () => [this.keys.guildLookup(guild.guildId)],
    );
  }

  async cleanupGuildsCache(maxAgeDays: number, options?: { batchSize?: number }): Promise<number> {
    const deleted = await this.inner.cleanupGuildsCache(maxAgeDays, options);
    if (deleted > 0) await this.invalidator.invalidatePrefix(this.keys.kindPattern('lookup'));
    return deleted;
  }

  cleanupCacheInvalidations(maxAgeMinutes: number, options?: { batchSize?: number }): Promise<number> {
    return this.inner.cleanupCacheInvalidations(maxAgeMinutes, options);
  }

  getStats(): Promise<Stats> {
    return this.inner.getStats();
  }

  getCacheStats(): CacheStats {
    return this.counters.snapshot(this.inner.getCacheStats().database.loads);
  }

  async close(): Promise<void> {
    this.health.close();
    this.bus.stop();
    await this.logPoller?.close();
    this.local.clear();
    await Promise.allSettled([quit(this.redis), quit(this.subscriber)]);
    await this.inner.close();
  }

  /** The local entry of a type already validated; `undefined` on a miss or a non-string ID. Counts hits only. */
  private localAttributes(entityType: EntityType, id: string): Attributes | undefined {
    return typeof id === 'string' ? this.reads.hit(this.spaces.attrs[entityType], id) : undefined;
  }

  /** After a local miss: validates the ID, then Redis, then PostgreSQL. */
  private loadAttributes(entityType: EntityType, id: string): Promise<Attributes> {
    const snowflake = assertSnowflake(id);
    return this.reads.load(entryOf(this.spaces.attrs[entityType], snowflake), () => this.inner.getAttributes(entityType, snowflake));
  }

  private async ensure(entityType: EntityType, id: string): Promise<{ created: boolean; reactivated: boolean }> {
    // writeThrough invalidates after a failure; after a success, afterEnsure decides.
    const result = await this.writeThrough(
      () => this.inner.ensureEntity(entityType, id),
      () => [this.keys.record(entityType, id)],
      () => false,
    );
    await this.afterEnsure(entityType, id, result);
    return result;
  }

  /**
   * What an ensured row leaves to do: a reactivated row, or a created one where an absent record is
   * cached, is invalidated everywhere. A row created where absence is not cached is in no tier, but
   * a load of its record started before it existed may still be in flight here: later readers must
   * not join it (another process's such load ends within its own query time).
   */
  private afterEnsure(entityType: EntityType, id: string, result: { created: boolean; reactivated: boolean }): Promise<void> | undefined {
    const key = this.keys.record(entityType, id);
    const space = entityType === 'user' ? this.spaces.userRecord : this.spaces.guildRecord;
    if (result.reactivated || (result.created && space.cachesNull)) return this.invalidator.invalidate([key]);
    if (result.created) this.flights.invalidate(key);
    return undefined;
  }

  /**
   * Commits first, then invalidates before returning, so once a write is acknowledged no tier can
   * serve the old value past the bound in docs/cache.md. A write that failed after reaching the
   * database may have committed: its keys are invalidated too. Refused input changed nothing.
   */
  private async writeThrough<T>(write: () => Promise<T>, keys: () => string[], changed: (result: T) => boolean = () => true): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      if (!(error instanceof ValidationError)) await this.invalidator.invalidate(keys());
      throw error;
    }
    if (changed(result)) await this.invalidator.invalidate(keys());
    return result;
  }
}

/** The entries `beginInteraction` reads together: attribute sets and a guild record. */
type InteractionEntry = Attributes | GuildRecord | null;

/** Validates the entity type and the attribute name (typed errors), hit or miss; the attribute's name. */
function attributeOf(entityType: EntityType, name: AttributeName | string): AttributeName {
  return resolveAttribute(assertEntityType(entityType), name).name;
}

/** Confirmations per staleness bound: one or two may be lost to a slow moment without the local tier pausing. */
const CONFIRMATIONS_PER_BOUND = 4;
/** Bounds a PING may go unanswered before the subscription is taken for stuck and reconnected. */
const STUCK_BOUNDS = 5;

function confirmationOf(localTtlMs: number): ConfirmationOptions {
  return { intervalMs: Math.max(10, Math.floor(localTtlMs / CONFIRMATIONS_PER_BOUND)), stuckAfterMs: STUCK_BOUNDS * localTtlMs };
}

/** QUIT when connected; otherwise stop reconnecting at once. */
async function quit(client: RedisConnection): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
