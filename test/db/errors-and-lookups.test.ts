import { InvalidArgumentError, InvalidErrorCodeError, InvalidIdError } from '../../src/core/moddy-error';
import type { NewErrorRecord } from '../../src/db/api';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';

let t: TestPostgresDatabase;

beforeAll(async () => {
  t = await createTestPostgresDatabase();
});
afterAll(async () => {
  await t.cleanup();
});

const error = (code: string, overrides: Partial<NewErrorRecord> = {}): NewErrorRecord => ({
  errorCode: code,
  errorType: 'TypeError',
  message: 'x is not a function',
  fileSource: 'src/bot/commands/guild-command.ts',
  lineNumber: 42,
  traceback: 'TypeError: x is not a function\n    at run (src/bot/commands/guild-command.ts:42:7)',
  userId: '1234567890123456789',
  guildId: '987654321098765432',
  command: 'guild lookup',
  context: { options: { id: '1' } },
  ...overrides,
});

describe('errors', () => {
  it('stores every column and finds the error by its code, whatever the case and slips', async () => {
    expect(await t.db.recordError(error('AB01CD23'))).toBe(true);
    const stored = await t.db.getError('ab01cd23');
    expect(stored).toMatchObject({
      errorCode: 'AB01CD23',
      errorType: 'TypeError',
      message: 'x is not a function',
      fileSource: 'src/bot/commands/guild-command.ts',
      lineNumber: 42,
      userId: '1234567890123456789',
      guildId: '987654321098765432',
      command: 'guild lookup',
      context: { options: { id: '1' } },
    });
    expect(stored?.timestamp).toBeInstanceOf(Date);
    expect(await t.db.getError('abo1cd23')).toMatchObject({ errorCode: 'AB01CD23' });
    expect(await t.db.getError('AB0ICD23')).toMatchObject({ errorCode: 'AB01CD23' });
    expect(await t.db.getError('AB-01CD-23')).toMatchObject({ errorCode: 'AB01CD23' });
    expect(await t.db.getError('ZZZZZZZZ')).toBeNull();
  });

  it('is idempotent per code, one by one and in batches', async () => {
    expect(await t.db.recordError(error('AB01CD23', { message: 'other' }))).toBe(false);
    expect((await t.db.getError('AB01CD23'))?.message).toBe('x is not a function');
    const batch = ['BATCH001', 'BATCH002', 'BATCH003'].map((code) => error(code, { userId: null, guildId: null, context: undefined }));
    expect(await t.db.recordErrors(batch)).toBe(3);
    expect(await t.db.recordErrors([...batch, error('BATCH004')])).toBe(1);
    expect(await t.db.getError('BATCH001')).toMatchObject({ userId: null, guildId: null, context: {} });
  });

  it('refuses malformed codes and ids', async () => {
    await expect(t.db.getError('SHORT')).rejects.toBeInstanceOf(InvalidErrorCodeError);
    await expect(t.db.getError('ABCDEFGU')).rejects.toBeInstanceOf(InvalidErrorCodeError);
    await expect(t.db.recordError(error('ABCDEFGU'))).rejects.toBeInstanceOf(InvalidErrorCodeError);
    await expect(t.db.recordError(error('ABCDEFGH', { userId: 'me' }))).rejects.toBeInstanceOf(InvalidIdError);
    expect(await t.db.getError('ABCDEFGH')).toBeNull();
  });

  it('cleans up old errors in bounded batches and keeps recent ones', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    const codes = Array.from({ length: 25 }, (_, i) => `OLD${String(i).padStart(5, '0')}`);
    await t.db.recordErrors(codes.map((code) => error(code, { timestamp: old })));
    await t.db.recordError(error('RECENT01', { timestamp: new Date(Date.now() - 29 * 86_400_000) }));
    expect(await t.db.cleanupOldErrors(30, { batchSize: 10 })).toBe(25);
    expect(await t.db.getError(codes[0]!)).toBeNull();
    expect(await t.db.getError('RECENT01')).not.toBeNull();
    expect(await t.db.cleanupOldErrors(30)).toBe(0);
    await expect(t.db.cleanupOldErrors(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('guilds_cache', () => {
  // The example snowflake of Discord's documentation, minted at 2016-04-30T11:18:25.796Z.
  const guildId = '175928847299117063';

  it('upserts a guild and serves it while younger than 7 days', async () => {
    await t.db.upsertCachedGuild({
      guildId,
      name: 'Discord API',
      iconUrl: 'https://cdn.example/icon.png',
      features: ['COMMUNITY'],
      memberCount: 1234,
      updateSource: 'bot_join',
      rawData: { id: guildId },
    });
    const cached = await t.db.getCachedGuild(guildId);
    expect(cached).toMatchObject({ guildId, name: 'Discord API', features: ['COMMUNITY'], memberCount: 1234, updateSource: 'bot_join' });
    // Created-at comes from the snowflake when not given.
    expect(cached?.createdAt?.toISOString()).toBe('2016-04-30T11:18:25.796Z');

    await t.db.upsertCachedGuild({ guildId, name: 'Renamed', updateSource: 'api_call' });
    expect(await t.db.getCachedGuild(guildId)).toMatchObject({ name: 'Renamed', updateSource: 'api_call', features: [] });
  });

  it('treats a row older than the freshness window as a miss, and purges old rows', async () => {
    await t.db.dataSource.query(`UPDATE guilds_cache SET last_updated = now() - interval '8 days' WHERE guild_id = $1`, [guildId]);
    expect(await t.db.getCachedGuild(guildId)).toBeNull();
    expect(await t.db.getCachedGuild(guildId, 10)).not.toBeNull();
    expect(await t.db.cleanupGuildsCache(30)).toBe(0);
    expect(await t.db.cleanupGuildsCache(7, { batchSize: 1 })).toBe(1);
    expect(await t.db.getCachedGuild(guildId, 365)).toBeNull();
  });

  it('refuses an unknown update source', async () => {
    await expect(t.db.upsertCachedGuild({ guildId, name: 'x', updateSource: 'gossip' as never })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('getStats', () => {
  it('counts errors, users, guilds and the users holding the main attributes', async () => {
    const dev = '111111111111111111';
    await t.db.setAttribute('user', '700000000000000001', 'BETA', true, dev, 'seed');
    await t.db.setAttribute('user', '700000000000000002', 'BETA', true, dev, 'seed');
    await t.db.setAttribute('user', '700000000000000002', 'PREMIUM', true, dev, 'seed');
    await t.db.setAttribute('user', '700000000000000003', 'BLACKLISTED', true, dev, 'seed');
    await t.db.ensureGuild('700000000000000010');
    await t.db.ensureGuild('700000000000000011');
    await t.db.deactivateGuild('700000000000000011');
    const errors = ((await t.db.dataSource.query('SELECT count(*)::int AS n FROM errors')) as { n: number }[])[0]?.n;
    expect(await t.db.getStats()).toEqual({
      errors,
      users: 3,
      guilds: 2,
      activeGuilds: 1,
      betaUsers: 2,
      premiumUsers: 1,
      blacklistedUsers: 1,
    });
  });
});
