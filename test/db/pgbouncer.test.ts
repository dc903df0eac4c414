import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { parseConfig } from '../../src/config';
import { createDataSource, poolSettings } from '../../src/db/data-source';
import { migrate } from '../../src/db/migrate';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { dropDatabase } from '../helpers/database';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer';
import { TEST_POSTGRES_URL, uniqueSuffix } from '../helpers/services';

/**
 * Issue #13: every query path through a real PgBouncer in transaction mode, with fewer server
 * connections (3) than clients, so consecutive statements of one client land on different server
 * sessions and any session state (a session advisory lock, a cursor outside a transaction, a
 * named prepared statement) would break.
 */
const SERVER_CONNECTIONS = 3;

describe('through PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  const name = `moddy_test_pgbouncer_${uniqueSuffix()}`;
  let db: PostgresDatabase;

  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolSize: SERVER_CONNECTIONS });
  }, 30_000);

  afterAll(async () => {
    await db?.close();
    await bouncer?.stop();
    await dropDatabase(name);
  }, 30_000);

  it('migrates with three runs at once: one applies every migration, the others wait, and no lock is left behind', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => migrate(bouncer.url(name))));
    const applied = runs.map((run) => run.applied.length).sort((a, b) => a - b);
    expect(applied).toEqual([0, 0, MIGRATIONS.length]);
    expect(runs.filter((run) => run.databaseCreated)).toHaveLength(1);
    // A session lock would stay on whichever server connection took it, blocking the next run.
    expect(await advisoryLocksOn(name)).toBe(0);
    expect((await migrate(bouncer.url(name))).applied).toEqual([]);
  }, 60_000);

  it('connects a pool built from the configuration with DATABASE_PGBOUNCER=true, and is refused the session settings without it', async () => {
    const settings = (pgbouncer: string) => poolSettings(parseConfig({ DATABASE_URL: bouncer.url(name), DATABASE_PGBOUNCER: pgbouncer }));
    const plain = createDataSource({ url: bouncer.url(name), ...settings('false'), poolSize: 1 });
    await expect(plain.initialize()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
    const bounced = createDataSource({ url: bouncer.url(name), ...settings('true'), poolSize: 1 });
    await bounced.initialize();
    try {
      expect(await bounced.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await bounced.destroy();
    }
  });

  it('serves the data API to 10 clients sharing 3 server connections: attributes, audit, data paths, errors', async () => {
    const dataSource = createDataSource({ url: bouncer.url(name), poolSize: 10, pgbouncer: true });
    await dataSource.initialize();
    // As connectDatabase builds it with DATABASE_PGBOUNCER=true: no named statements (a server connection's, not the next transaction's).
    db = new PostgresDatabase(dataSource, { preparedStatements: false });
    const users = Array.from({ length: 40 }, (_, index) => String(700000000000000000n + BigInt(index)));
    const admin = '690000000000000000';
    await Promise.all(users.map((id) => db.setAttribute('user', id, 'PREMIUM', true, admin, 'supporter')));
    await Promise.all(users.map((id, index) => db.updateUserData(id, 'profile.rank', index)));
    for (const [index, id] of users.entries()) {
      expect(await db.getUser(id)).toMatchObject({ attributes: { PREMIUM: true }, data: { profile: { rank: index } } });
    }
    await db.setAttribute('user', users[0]!, 'PREMIUM', null, admin, 'ended');
    expect((await db.getAttributeHistory('user', users[0]!)).map((change) => [change.newValue, change.reason])).toEqual([
      [true, 'supporter'],
      [null, 'ended'],
    ]);
    expect(await db.getUsersWithAttribute('PREMIUM')).toEqual(users.slice(1));
    // The interaction path's statements, 40 at once on 3 server connections.
    const starts = await Promise.all(
      users.map((id) => db.beginInteraction(id, '710000000000000001', { ensureUser: true, guildRecord: true })),
    );
    expect(starts.map((start) => start.user.PREMIUM ?? false)).toEqual(users.map((_, index) => index > 0));
    expect(await Promise.all(users.map((id) => db.getAttributes('user', id)))).toEqual(starts.map((start) => start.user));

    const errors = ['PB01AA11', 'PB01AA12', 'PB01AA13'].map((errorCode) => ({ errorCode, errorType: 'TypeError', message: 'boom' }));
    expect(await db.recordErrors(errors)).toBe(3);
    expect(await db.recordErrors(errors)).toBe(0);
    expect(await db.getError('pb01aa12')).toMatchObject({ errorCode: 'PB01AA12', message: 'boom' });
  }, 30_000);

  it('streams through a cursor held in one transaction, two streams at once while other queries run', async () => {
    const read = async () => {
      const batches: string[][] = [];
      for await (const batch of db.streamUsersWithAttribute('PREMIUM', undefined, { batchSize: 7 })) {
        batches.push(batch);
        // Other clients' statements between two FETCHes take the free server connections.
        await db.getAttributes('user', batch[0]!);
      }
      return batches;
    };
    const [first, second] = await Promise.all([read(), read()]);
    const expected = await db.getUsersWithAttribute('PREMIUM');
    expect(expected).toHaveLength(39);
    expect(first!.flat()).toEqual(expected);
    expect(second!.flat()).toEqual(expected);
    expect(first!.map((batch) => batch.length)).toEqual([7, 7, 7, 7, 7, 4]);
  }, 30_000);
});

/** Advisory locks held in `database`, read on a direct connection. */
async function advisoryLocksOn(database: string): Promise<number> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`,
      [database],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
