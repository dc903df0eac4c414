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

interface PreparedStatementRow {
  name: string;
  parameterTypes: string[];
  genericPlans: number;
  customPlans: number;
}

async function preparedStatements(db: PostgresDatabase): Promise<PreparedStatementRow[]> {
  return (await db.dataSource.query(
    `SELECT name, parameter_types::text[] AS "parameterTypes", generic_plans::int AS "genericPlans", custom_plans::int AS "customPlans"
     FROM pg_prepared_statements ORDER BY name`,
  )) as PreparedStatementRow[];
}

/** A literal of each parameter type the statements take, to plan them with `EXPLAIN EXECUTE`. */
const SAMPLE_LITERALS: Record<string, string> = {
  bigint: `'${GUILD}'`,
  'bigint[]': `'{${NEW_USER},${GUILD}}'`,
  'boolean[]': `'{t,f}'`,
};

/** The plan of each prepared statement of the connection, as EXPLAIN prints it. */
async function plans(db: PostgresDatabase): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const statement of await preparedStatements(db)) {
    const args = statement.parameterTypes.map((type) => {
      const literal = SAMPLE_LITERALS[type];
      if (literal === undefined) throw new Error(`${statement.name}: no sample literal for ${type}`);
      return `${literal}::${type}`;
    });
    const rows = (await db.dataSource.query(`EXPLAIN EXECUTE ${statement.name}(${args.join(', ')})`)) as { 'QUERY PLAN': string }[];
    result.set(statement.name, rows.map((row) => row['QUERY PLAN']).join('\n'));
  }
  return result;
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

  it('plans each statement once, then runs its generic plan, which only probes primary keys, on empty and on filled tables', async () => {
    const scratch = await createTestDatabase();
    const db = await openOnOneConnection(scratch.url, true);
    try {
      // PostgreSQL plans a prepared statement for its values at its first five calls, then keeps the generic plan if it costs no more.
      for (let round = 0; round < 3; round += 1) await exercise(db, NEW_USER);
      const settled = await preparedStatements(db);
      await exercise(db, NEW_USER);
      const later = await preparedStatements(db);
      expect(later.map((statement) => statement.name)).toEqual(settled.map((statement) => statement.name));
      later.forEach((statement, index) => {
        const before = settled[index]!;
        // No statement is planned again at a call: every later call ran the generic plan.
        expect({ name: statement.name, customPlans: statement.customPlans }).toEqual({
          name: before.name,
          customPlans: before.customPlans,
        });
        expect(statement.genericPlans).toBeGreaterThan(before.genericPlans);
      });
      const onEmpty = await plans(db);
      // Big enough that a scan of either table costs more than probing it, once the planner knows their size.
      await db.dataSource.query(`INSERT INTO users (user_id) SELECT 730000000000000000 + n FROM generate_series(1, 50000) n`);
      await db.dataSource.query(`INSERT INTO guilds (guild_id) SELECT 740000000000000000 + n FROM generate_series(1, 50000) n`);
      await db.dataSource.query('ANALYZE users, guilds');
      const onFilled = await plans(db);
      expect([...onEmpty.keys()]).toEqual(await preparedNames(db));
      for (const [name, plan] of [...onEmpty, ...onFilled]) {
        expect(`${name}: ${plan}`).not.toMatch(/Seq Scan|Hash|Bitmap/);
        expect(plan).toMatch(/Index (Only )?Scan using (users|guilds)_pkey/);
      }
    } finally {
      await db.close();
      await scratch.drop();
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
