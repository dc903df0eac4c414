import { createDataSource } from '../../src/db/data-source';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const ADMIN = '690000000000000000';
const GUILD = '710000000000000001';
const NEW_USER = '720000000000000001';

/** The interaction path on a pool of one connection, so the test's own query sees that session's prepared statements. */
async function openOnOneConnection(url: string, preparedStatements: boolean): Promise<PostgresDatabase> {
  const dataSource = createDataSource({ url, poolSize: 1 });
  await dataSource.initialize();
  return new PostgresDatabase(dataSource, { preparedStatements });
}

async function preparedNames(db: PostgresDatabase): Promise<string[]> {
  const rows = (await db.dataSource.query(`SELECT name FROM pg_prepared_statements ORDER BY name`)) as { name: string }[];
  return rows.map((row) => row.name);
}

/** Every statement the interaction path prepares, run twice, with a write between the two runs. */
async function exercise(db: PostgresDatabase, user: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (const pass of [1, 2]) {
    seen.push(await db.beginInteraction(user, GUILD, { ensureUser: true, guildRecord: true }));
    seen.push(await db.beginInteraction(user, GUILD, { ensureUser: false }));
    seen.push(await db.getAttributes('user', user), await db.getAttributes('guild', GUILD));
    seen.push(await db.getInteractionAttributes(user, GUILD));
    seen.push(await db.ensureEntity('guild', GUILD));
    if (pass === 1) await db.setAttribute('user', user, 'LANG', 'FR', ADMIN, 'prepared statements see later writes');
  }
  return seen;
}

describe('the interaction path as named prepared statements', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('prepares each statement once per connection and answers exactly as unnamed statements do, later writes included', async () => {
    const named = await openOnOneConnection(database.url, true);
    const unnamed = await openOnOneConnection(database.url, false);
    try {
      await named.setAttribute('guild', GUILD, 'BETA_FEATURES', true, ADMIN, 'a guild row with an attribute');
      const viaNamed = await exercise(named, NEW_USER);
      const viaUnnamed = await exercise(unnamed, '720000000000000002');
      // The same answers but for the user's own row: created once, on the first call of each.
      expect(viaNamed).toEqual(viaUnnamed);
      expect(viaNamed[0]).toMatchObject({
        user: {},
        guild: { BETA_FEATURES: true },
        userRow: { created: true },
        guildRecord: { guildId: GUILD },
      });
      expect(viaNamed[6]).toMatchObject({ user: { LANG: 'FR' }, userRow: { created: false, reactivated: false } });
      expect(await preparedNames(named)).toEqual([
        'moddy_begin_interactions',
        'moddy_ensure_guild',
        'moddy_get_guild_attributes',
        'moddy_get_interaction_attributes',
        'moddy_get_user_attributes',
      ]);
      expect(await preparedNames(unnamed)).toEqual([]);
    } finally {
      await Promise.all([named.close(), unnamed.close()]);
    }
  });

  it('reactivates an inactive user through the prepared first-seen statement, and leaves a blacklisted one as it is', async () => {
    const db = await openOnOneConnection(database.url, true);
    const [inactive, blacklisted] = ['720000000000000003', '720000000000000004'];
    try {
      await db.ensureUser(inactive);
      await db.deactivateUser(inactive);
      expect((await db.beginInteraction(inactive, null, { ensureUser: true })).userRow).toEqual({ created: false, reactivated: true });
      expect((await db.getUser(inactive))?.deactivatedAt).toBeNull();

      await db.setAttribute('user', blacklisted, 'BLACKLISTED', true, ADMIN, 'abuse');
      await db.deactivateUser(blacklisted);
      expect((await db.beginInteraction(blacklisted, null, { ensureUser: true })).userRow).toEqual({ created: false, reactivated: false });
      expect((await db.getUser(blacklisted))?.deactivatedAt).toBeInstanceOf(Date);
    } finally {
      await db.close();
    }
  });
});
