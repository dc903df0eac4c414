import { DataValueTooLargeError } from '../../src/core/moddy-error';
import { loggerOptions, parseConfig } from '../../src/config';
import { connectDatabase } from '../../src/connect';
import { buildLogger } from '../../src/core/logger';
import type { ModdyDatabase } from '../../src/db/api';
import { TEST_CONFIG } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const USER = '123456789012345678';

describe('configuration passed in code, not read from the environment by the library', () => {
  let database: TestDatabase;
  let db: ModdyDatabase | undefined;
  const saved = process.env.DATA_MAX_VALUE_BYTES;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
    await database.drop();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DATA_MAX_VALUE_BYTES;
    else process.env.DATA_MAX_VALUE_BYTES = saved;
  });

  it('connectDatabase honours the DATA_MAX_VALUE_BYTES of the config it is given, whatever the environment says', async () => {
    // The environment says 8 bytes: ignored, the config given says 64.
    process.env.DATA_MAX_VALUE_BYTES = '8';
    db = await connectDatabase({ config: { ...TEST_CONFIG, DATA_MAX_VALUE_BYTES: 64 }, databaseUrl: database.url, cache: false });
    await db.updateUserData(USER, 'note', 'x'.repeat(40));
    expect((await db.getUser(USER))?.data).toEqual({ note: 'x'.repeat(40) });
    const tooLarge = await db.updateUserData(USER, 'note', 'y'.repeat(100)).catch((error: unknown) => error);
    expect(tooLarge).toBeInstanceOf(DataValueTooLargeError);
    expect(tooLarge).toMatchObject({ code: 'DATA_VALUE_TOO_LARGE', bytes: 102, limit: 64 });
    // Refused, so nothing changed.
    expect((await db.getUser(USER))?.data).toEqual({ note: 'x'.repeat(40) });
  });
});

describe('logger built from options', () => {
  it('takes its level from the options, info by default', () => {
    expect(buildLogger().level).toBe('info');
    const quiet = buildLogger({ level: 'warn' });
    expect(quiet.level).toBe('warn');
    expect(quiet.isLevelEnabled('info')).toBe(false);
    expect(quiet.isLevelEnabled('error')).toBe(true);
  });

  it('gets LOG_LEVEL and LOG_FORMAT from a configuration (pretty by default in development only)', () => {
    expect(loggerOptions(parseConfig({ LOG_LEVEL: 'debug', NODE_ENV: 'production' }))).toEqual({ level: 'debug', format: 'json' });
    expect(loggerOptions(parseConfig({ NODE_ENV: 'development' }))).toEqual({ level: 'info', format: 'pretty' });
    expect(loggerOptions(parseConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }))).toEqual({ level: 'info', format: 'json' });
  });
});
