import Redis from 'ioredis';
import { MIGRATIONS } from '../../migrations';
import { globLiteral, scanKeys } from '../../src/cache/scan';
import { connectDatabase } from '../../src/connect';
import { AdoptionBlockedError, AdoptionNotRequestedError, SchemaMismatchError } from '../../src/db/adoption/adoption-errors';
import { createDataSource } from '../../src/db/data-source';
import { migrate, planMigration } from '../../src/db/migrate';
import { PostgresDatabase } from '../../src/db/postgres-database';
import type { TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { IDS, createOriginalDatabase, queryRows, runSql, snapshot } from './adopt-fixture';
import { TEST_CONFIG } from '../helpers/config';

const ALL = MIGRATIONS.map((migration) => migration.name);

describe('adopting the original Moddy schema', () => {
  const databases: TestDatabase[] = [];
  const original = async (options?: { rows?: boolean }) => {
    const database = await createOriginalDatabase(options);
    databases.push(database);
    return database;
  };
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it('dry run describes tables, counts, conversions and registry violations, and changes nothing', async () => {
    const { url } = await original();
    const before = await snapshot(url);
    const plan = await planMigration(url);
    expect(await snapshot(url)).toEqual(before);

    expect(plan).toMatchObject({ databaseExists: true, state: 'original', pending: ALL });
    const report = plan.adoption!;
    expect(report.tables).toEqual([
      { table: 'users', rows: 5 },
      { table: 'guilds', rows: 2 },
      { table: 'attribute_changes', rows: 5 },
      { table: 'errors', rows: 5 },
      { table: 'guilds_cache', rows: 4 },
    ]);
    const rows = (table: string, column: string, rule: RegExp) =>
      report.conversions.find((c) => c.table === table && c.column === column && rule.test(c.rule))?.rows;
    expect(rows('users', 'attributes', /NULL → \{\}/)).toBe(1);
    expect(rows('guilds', 'data', /NULL → \{\}/)).toBe(1);
    expect(rows('attribute_changes', 'new_value', /'True' → true/)).toBe(3);
    expect(rows('attribute_changes', 'old_value', /'False' or 'None'/)).toBe(3);
    expect(rows('attribute_changes', 'new_value', /JSON string/)).toBe(1);
    expect(rows('attribute_changes', 'changed_by', /unknown actor/)).toBe(1);
    expect(rows('attribute_changes', 'reason', /NULL/)).toBe(1);
    expect(rows('errors', 'error_code', /upper case/)).toBe(2);
    expect(rows('errors', 'error_type', /NULL/)).toBe(1);
    expect(rows('guilds_cache', 'update_source', /not one of/)).toBe(1);
    expect(rows('guilds_cache', 'name', /stale/)).toBe(1);

    const violations = report.registryViolations.samples.map((v) => `${v.entityType} ${v.id} ${v.attribute}=${JSON.stringify(v.value)}`);
    expect(violations.sort()).toEqual(
      [
        `user ${IDS.dirty} BETA=false`,
        `user ${IDS.dirty} LANG="DE"`,
        `user ${IDS.dirty} OLD_FLAG=true`,
        `user ${IDS.wrongEntity} OFFICIAL_SERVER=true`,
      ].sort(),
    );
    expect(report.registryViolations.total).toBe(4);
    expect(report.registryViolations.samples.find((v) => v.attribute === 'OLD_FLAG')?.problem).toMatch(/OLD_FLAG/);
    expect(report.unreachableErrorCodes).toEqual({ total: 1, samples: ['ABC'] });
    expect(report.blockers).toEqual([]);
  });

  it('is refused, changing nothing, when the caller did not ask for adoption (a process start-up)', async () => {
    const { url } = await original();
    const before = await snapshot(url);
    await expect(migrate(url)).rejects.toBeInstanceOf(AdoptionNotRequestedError);
    expect(await snapshot(url)).toEqual(before);
  });

  it('adopts exactly once when several processes migrate at once, then is a no-op', async () => {
    const { url } = await original();
    const results = await Promise.all(Array.from({ length: 3 }, () => migrate(url, { adoptOriginal: true })));
    expect(results.filter((result) => result.adopted !== null)).toHaveLength(1);
    expect(results.flatMap((result) => result.applied)).toEqual(ALL);
    const history = await queryRows<{ name: string }>(url, 'SELECT name FROM moddy_migrations ORDER BY id');
    expect(history.map((row) => row.name)).toEqual(ALL);
    expect(await migrate(url, { adoptOriginal: true })).toEqual({ databaseCreated: false, applied: [], adopted: null });
    const tables = await queryRows<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'attribute_changes',
      'cache_invalidations',
      'errors',
      'guilds',
      'guilds_cache',
      'moddy_migrations',
      'users',
    ]);
  });

  it('adopts a database where an earlier release left an empty migrations table', async () => {
    const { url } = await original();
    // What `relation "errors" already exists` left behind: TypeORM's table, created before the failed migration.
    await runSql(url, [`CREATE TABLE moddy_migrations (id SERIAL PRIMARY KEY, "timestamp" BIGINT NOT NULL, name VARCHAR NOT NULL)`]);
    const result = await migrate(url, { adoptOriginal: true });
    expect(result.applied).toEqual(ALL);
    expect(result.adopted?.tables.find((table) => table.table === 'users')?.rows).toBe(5);
  });

  it('adopts an original schema without rows; new audit ids start at 1', async () => {
    const { url } = await original({ rows: false });
    const result = await migrate(url, { adoptOriginal: true });
    expect(result.applied).toEqual(ALL);
    expect(result.adopted?.tables.every((table) => table.rows === 0)).toBe(true);
    const [sequence] = await queryRows<{ next: string }>(url, `SELECT nextval('attribute_changes_id_seq')::text AS next`);
    expect(sequence?.next).toBe('1');
  });

  describe('refuses, naming what differs and changing nothing', () => {
    const refused = async (alterations: string[], expected: RegExp) => {
      const { url } = await original();
      await runSql(url, alterations);
      const before = await snapshot(url);
      const failure = migrate(url, { adoptOriginal: true });
      await expect(failure).rejects.toBeInstanceOf(SchemaMismatchError);
      await expect(failure).rejects.toThrow(expected);
      await expect(planMigration(url)).rejects.toBeInstanceOf(SchemaMismatchError);
      expect(await snapshot(url)).toEqual(before);
    };

    it('a half-adopted database (an extra column)', () =>
      refused(
        [`ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ`],
        /users\.deactivated_at \(timestamp with time zone\) is not in the original schema/,
      ));

    it('a missing table', () => refused([`DROP TABLE guilds_cache`], /table guilds_cache is missing/));

    it('a column of another type', () =>
      refused(
        [`ALTER TABLE attribute_changes ALTER COLUMN old_value TYPE JSONB USING to_jsonb(old_value)`],
        /attribute_changes\.old_value is jsonb, the original's is text/,
      ));

    it('rows that cannot be converted without loss (blockers)', async () => {
      const { url } = await original();
      await runSql(url, [
        `INSERT INTO errors (error_code, message) VALUES ('DEADBEEF', 'upper twin')`,
        `INSERT INTO attribute_changes (entity_type, entity_id, attribute_name) VALUES (NULL, 1, 'BETA')`,
        `INSERT INTO users (user_id, attributes) VALUES (100000000000000077, '["BETA"]')`,
      ]);
      const before = await snapshot(url);
      const failure = migrate(url, { adoptOriginal: true });
      await expect(failure).rejects.toBeInstanceOf(AdoptionBlockedError);
      await expect(failure).rejects.toThrow(/DEADBEEF, deadbeef differ only by case/);
      expect((await planMigration(url)).adoption?.blockers).toEqual([
        'errors: codes DEADBEEF, deadbeef differ only by case (one code once upper-cased)',
        'attribute_changes: 1 row(s) with NULL entity_type (ids 6)',
        'users: 1 row(s) whose attributes is not a JSON object (user_id 100000000000000077)',
      ]);
      expect(await snapshot(url)).toEqual(before);
    });
  });

  describe('the whole API on the adopted rows', () => {
    let db: PostgresDatabase;
    let url: string;
    beforeAll(async () => {
      ({ url } = await original());
      await migrate(url, { adoptOriginal: true });
      const dataSource = createDataSource({ url, poolSize: 4 });
      await dataSource.initialize();
      db = new PostgresDatabase(dataSource);
    });
    afterAll(() => db.close());

    it('reads every user and guild, NULLs become empty objects, every row active', async () => {
      for (const id of [IDS.frenchBeta, IDS.nulls, IDS.dirty, IDS.wrongEntity, IDS.developer]) {
        const user = await db.getUser(id);
        expect(user).toMatchObject({ userId: id, deactivatedAt: null });
        expect(user!.createdAt).toBeInstanceOf(Date);
      }
      expect(await db.getUser(IDS.nulls)).toMatchObject({ attributes: {}, data: {} });
      expect(await db.getUser(IDS.frenchBeta)).toMatchObject({
        attributes: { BETA: true, LANG: 'FR' },
        data: { preferences: { timezone: 'Europe/Paris' } },
      });
      // Refused by the registry, reported, but kept as stored.
      expect(await db.getAttributes('user', IDS.dirty)).toEqual({ BETA: false, PREMIUM: true, OLD_FLAG: true, LANG: 'DE' });
      expect(await db.getGuild(IDS.nullGuild)).toMatchObject({ attributes: {}, data: { welcome: { channel: '123' } } });
      expect(await db.getInteractionAttributes(IDS.frenchBeta, IDS.officialGuild)).toEqual({
        user: { BETA: true, LANG: 'FR' },
        guild: { OFFICIAL_SERVER: true, LANG: 'FR' },
      });
    });

    it('GIN lookups and streams', async () => {
      expect(await db.getUsersWithAttribute('LANG', 'FR')).toEqual([IDS.frenchBeta, IDS.developer]);
      expect(await db.getUsersWithAttribute('PREMIUM')).toEqual([IDS.dirty]);
      expect(await db.getGuildsWithAttribute('OFFICIAL_SERVER')).toEqual([IDS.officialGuild]);
      const batches: string[][] = [];
      for await (const batch of db.streamUsersWithAttribute('LANG', undefined, { batchSize: 2 })) batches.push(batch);
      expect(batches).toEqual([
        [IDS.frenchBeta, IDS.dirty],
        [IDS.wrongEntity, IDS.developer],
      ]);
    });

    it('data paths on rows whose data was NULL', async () => {
      await db.updateUserData(IDS.nulls, 'preferences.timezone', 'UTC');
      await db.updateGuildData(IDS.officialGuild, 'welcome.enabled', true);
      expect((await db.getUser(IDS.nulls))?.data).toEqual({ preferences: { timezone: 'UTC' } });
      expect((await db.getGuild(IDS.officialGuild))?.data).toEqual({ welcome: { enabled: true } });
    });

    it('history: the old rows first, converted, then new ones chained after them', async () => {
      const result = await db.setAttribute('user', IDS.frenchBeta, 'LANG', 'EN', IDS.moderator, 'asked for English');
      expect(result).toEqual({ changed: true, oldValue: 'FR', newValue: 'EN' });
      const history = await db.getAttributeHistory('user', IDS.frenchBeta);
      expect(
        history.map(({ attributeName, oldValue, newValue, changedBy, reason }) => ({
          attributeName,
          oldValue,
          newValue,
          changedBy,
          reason,
        })),
      ).toEqual([
        { attributeName: 'BETA', oldValue: null, newValue: true, changedBy: IDS.moderator, reason: 'beta tester' },
        { attributeName: 'LANG', oldValue: null, newValue: 'FR', changedBy: '0', reason: '' },
        { attributeName: '', oldValue: null, newValue: true, changedBy: IDS.moderator, reason: 'name lost in a crash' },
        { attributeName: 'LANG', oldValue: 'FR', newValue: 'EN', changedBy: IDS.moderator, reason: 'asked for English' },
      ]);
      const ids = history.map((change) => BigInt(change.id));
      expect(ids[3]! > ids[2]!).toBe(true);
      expect(await db.getAttributeHistory('user', IDS.dirty)).toMatchObject([{ attributeName: 'BETA', oldValue: true, newValue: null }]);
    });

    it('a value the registry refuses can be mended through the API', async () => {
      expect(await db.setAttribute('user', IDS.dirty, 'BETA', false, IDS.moderator, 'mend adopted false')).toMatchObject({ changed: true });
      expect(await db.getAttributes('user', IDS.dirty)).toEqual({ PREMIUM: true, OLD_FLAG: true, LANG: 'DE' });
    });

    it('error lookup by code in any case, NULL fields readable', async () => {
      expect(await db.getError('deadbeef')).toMatchObject({ errorCode: 'DEADBEEF', message: 'lower-case code', context: {} });
      expect(await db.getError('DeadBeef')).toMatchObject({ errorCode: 'DEADBEEF' });
      expect(await db.getError('abcd1234')).toMatchObject({ errorCode: 'ABCD1234', errorType: 'Unknown', message: '', userId: IDS.dirty });
      expect(await db.getError('a1b2c3d4')).toMatchObject({ errorType: 'KeyError', lineNumber: 42, guildId: IDS.officialGuild });
    });

    it('guilds_cache: complete rows fresh, NULL or foreign sources stale and refreshed, original source kept', async () => {
      expect(await db.getCachedGuild(IDS.cachedGuild)).toMatchObject({
        name: 'Cached Guild',
        features: ['COMMUNITY'],
        updateSource: 'bot_join',
      });
      expect(await db.getCachedGuild(IDS.namelessGuild)).toBeNull();
      expect(await db.getCachedGuild(IDS.namelessGuild, 36_500)).toMatchObject({
        name: '',
        features: [],
        updateSource: 'manual',
        rawData: {},
      });
      const [legacy] = await queryRows<{ update_source: string; raw_data: unknown }>(
        url,
        `SELECT update_source, raw_data FROM guilds_cache WHERE guild_id = $1`,
        [IDS.legacySourceGuild],
      );
      expect(legacy).toEqual({ update_source: 'manual', raw_data: { moddy_adopted_update_source: 'invite_lookup' } });
    });

    it('stats and cleanups', async () => {
      expect(await db.getStats()).toMatchObject({ errors: 5, users: 5, guilds: 2, activeGuilds: 2, premiumUsers: 1 });
      expect(await db.cleanupOldErrors(30)).toBe(1);
      expect(await db.getError('0FF1CE00')).toBeNull();
      // The stale row, and the rows adoption marked stale (NULL name, foreign source).
      expect(await db.cleanupGuildsCache(30)).toBe(3);
      expect(await db.getCachedGuild(IDS.cachedGuild)).not.toBeNull();
    });

    it('soft delete and new rows work on the adopted tables', async () => {
      expect(await db.deactivateUser(IDS.developer)).toBe(true);
      expect(await db.getUsersWithAttribute('DEVELOPER')).toEqual([]);
      expect(await db.ensureUser(IDS.developer)).toBe(false);
      expect(await db.ensureUser('100000000000000099')).toBe(true);
      expect(await db.recordError({ errorCode: 'ZZZZ0000', errorType: 'Error', message: 'new' })).toBe(true);
    });
  });

  it('the cached API (connectDatabase) reads the adopted rows too', async () => {
    const { url } = await original();
    await migrate(url, { adoptOriginal: true });
    const prefix = testPrefix('adopt');
    const db = await connectDatabase({
      config: TEST_CONFIG,
      databaseUrl: url,
      redis: TEST_REDIS_URL,
      cachePrefix: prefix,
      cache: true,
      poolSize: 2,
    });
    const redis = new Redis(TEST_REDIS_URL);
    try {
      for (let read = 0; read < 2; read += 1) {
        expect(await db.getAttributes('user', IDS.dirty)).toEqual({ BETA: false, PREMIUM: true, OLD_FLAG: true, LANG: 'DE' });
        expect(await db.getUser(IDS.nulls)).toMatchObject({ attributes: {}, data: {}, deactivatedAt: null });
        expect(await db.getInteractionAttributes(IDS.nulls, IDS.nullGuild)).toEqual({ user: {}, guild: {} });
        expect(await db.getError('deadbeef')).toMatchObject({ errorCode: 'DEADBEEF' });
        expect(await db.getCachedGuild(IDS.cachedGuild)).toMatchObject({ name: 'Cached Guild' });
        expect(await db.getUsersWithAttribute('LANG', 'FR')).toEqual([IDS.frenchBeta, IDS.developer]);
      }
      expect(db.getCacheStats().enabled).toBe(true);
    } finally {
      await db.close();
      await scanKeys(redis, `${globLiteral(prefix)}:*`, async (keys) => void (await redis.unlink(...keys)));
      redis.disconnect();
    }
  });
});
