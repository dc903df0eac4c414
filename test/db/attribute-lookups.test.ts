import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';

// A database of its own: these tests list every user holding an attribute.
const DEV = '111111111111111111';
let t: TestPostgresDatabase;

beforeAll(async () => {
  t = await createTestPostgresDatabase();
});
afterAll(async () => {
  await t.cleanup();
});

describe('lookups by attribute', () => {
  const ids = Array.from({ length: 6 }, (_, i) => String(400000000000000000n + BigInt(i)));

  beforeAll(async () => {
    await t.db.setAttribute('user', ids[0]!, 'LANG', 'FR', DEV, 'seed');
    await t.db.setAttribute('user', ids[1]!, 'LANG', 'FR', DEV, 'seed');
    await t.db.setAttribute('user', ids[2]!, 'LANG', 'EN', DEV, 'seed');
    for (const id of ids.slice(3)) await t.db.setAttribute('user', id, 'TRACK', true, DEV, 'seed');
  });

  it('finds everyone with an attribute, or with a value', async () => {
    expect(await t.db.getUsersWithAttribute('LANG', 'FR')).toEqual([ids[0], ids[1]]);
    expect(await t.db.getUsersWithAttribute('LANG')).toEqual(ids.slice(0, 3));
    expect(await t.db.getUsersWithAttribute('TRACK')).toEqual(ids.slice(3));
  });

  it('leaves out inactive users', async () => {
    await t.db.deactivateUser(ids[5]!);
    expect(await t.db.getUsersWithAttribute('TRACK')).toEqual(ids.slice(3, 5));
    await t.db.ensureUser(ids[5]!);
    expect(await t.db.getUsersWithAttribute('TRACK')).toEqual(ids.slice(3));
  });

  it('streams large sets in batches through a cursor', async () => {
    const batches: string[][] = [];
    for await (const batch of t.db.streamUsersWithAttribute('TRACK', undefined, { batchSize: 2 })) batches.push(batch);
    expect(batches).toEqual([ids.slice(3, 5), ids.slice(5)]);
    // Breaking out early releases the connection (the pool would run dry otherwise).
    for (let i = 0; i < 25; i += 1) {
      for await (const batch of t.db.streamUsersWithAttribute('TRACK', undefined, { batchSize: 1 })) {
        expect(batch).toHaveLength(1);
        break;
      }
    }
    expect(await t.db.getUsersWithAttribute('TRACK')).toHaveLength(3);
  });

  it.each([
    ['users', `attributes ? 'BETA'`],
    ['users', `attributes @> '{"LANG":"FR"}'`],
    ['guilds', `attributes ? 'LEGACY'`],
  ])('%s where %s can use the GIN index', async (table, condition) => {
    const plan = await t.db.dataSource.transaction(async (manager) => {
      // The test tables are tiny, so forbid the sequential scan the planner would rightly prefer.
      await manager.query('SET LOCAL enable_seqscan = off');
      return (await manager.query(`EXPLAIN SELECT 1 FROM ${table} WHERE ${condition}`)) as { 'QUERY PLAN': string }[];
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(`idx_${table}_attributes`);
  });
});
