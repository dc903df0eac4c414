import { Client } from 'pg';
import { DatabaseTimeoutError, DatabaseUnavailableError } from '../../src/core/moddy-error';
import { createDataSource, type DatabaseTimeouts } from '../../src/db/data-source';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { postgresCheck, withTimeout } from '../../src/observability/health-checks';
import { TcpProxy } from '../helpers/redis-process';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/*
 * A PostgreSQL that hangs (accepts, never answers), one that is gone, and a statement stuck on a
 * lock: each call fails with a typed error within its bound, and the pool serves again afterwards.
 */

let database: TestDatabase;
let proxy: TcpProxy;
let db: PostgresDatabase;
const TIMEOUTS: DatabaseTimeouts = { connectMs: 400, statementMs: 300, queryMs: 600, idleInTransactionMs: 2000 };
/** Far above every bound: a call that takes this long was not bounded. */
const UNBOUNDED_MS = 5000;
let nextId = 520000000000000000n;
const freshId = (): string => String((nextId += 1n));

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = await TcpProxy.start(Number(url.port || 5432));
  url.port = String(proxy.port);
  const dataSource = createDataSource({ url: url.toString(), poolSize: 3, timeouts: TIMEOUTS });
  await dataSource.initialize();
  db = new PostgresDatabase(dataSource);
});
afterAll(async () => {
  proxy.resume();
  await db.close();
  await proxy.cut();
  await database.drop();
});

async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => new Error('the call succeeded'),
    (thrown: unknown) => thrown,
  );
  return { error, ms: performance.now() - started };
}

describe('PostgreSQL that hangs', () => {
  it('fails reads and writes with DatabaseTimeoutError in bounded time, more calls than connections included, then recovers', async () => {
    const id = freshId();
    await db.setAttribute('user', id, 'BETA', true, '111111111111111111', 'before');
    proxy.hang();
    const calls = [
      () => db.getAttributes('user', id),
      () => db.getUser(id),
      () => db.setAttribute('user', id, 'PREMIUM', true, '111111111111111111', 'during'),
      () => db.updateUserData(id, 'a', 1),
      () => db.getUsersWithAttribute('BETA'),
      () => db.getStats(),
      () => db.beginInteraction(id, null, { ensureUser: true }),
    ];
    const outcomes = await Promise.all(calls.map(failure));
    for (const { error, ms } of outcomes) {
      expect(error).toBeInstanceOf(DatabaseTimeoutError);
      expect((error as DatabaseTimeoutError).code).toBe('DATABASE_TIMEOUT');
      expect(ms).toBeLessThan(UNBOUNDED_MS);
    }

    const health = await withTimeout(postgresCheck(db.dataSource), 500)();
    expect(health.ok).toBe(false);

    proxy.resume();
    expect(await db.getAttributes('user', id)).toEqual({ BETA: true });
    await db.setAttribute('user', id, 'PREMIUM', true, '111111111111111111', 'after');
    expect(await db.getAttributes('user', id)).toEqual({ BETA: true, PREMIUM: true });
    expect((await withTimeout(postgresCheck(db.dataSource), 2000)()).ok).toBe(true);
  });

  it('cancels a statement stuck behind a lock with DatabaseTimeoutError, and changes nothing', async () => {
    const id = freshId();
    await db.setAttribute('user', id, 'BETA', true, '111111111111111111', 'before');
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE', [id]);
      const { error, ms } = await failure(() => db.setAttribute('user', id, 'BETA', false, '111111111111111111', 'blocked'));
      expect(error).toBeInstanceOf(DatabaseTimeoutError);
      expect(ms).toBeLessThan(UNBOUNDED_MS);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await db.getAttributes('user', id)).toEqual({ BETA: true });
    expect(await db.getAttributeHistory('user', id)).toHaveLength(1);
  });
});

describe('PostgreSQL that is gone', () => {
  it('fails with DatabaseUnavailableError, then serves again once it is back', async () => {
    const id = freshId();
    await proxy.cut();
    const { error, ms } = await failure(() => db.getUser(id));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(ms).toBeLessThan(UNBOUNDED_MS);
    // One batched statement for these interactions: each caller gets the typed error.
    const batch = await Promise.all(
      [freshId(), freshId(), id].map((user) => failure(() => db.beginInteraction(user, null, { ensureUser: true }))),
    );
    for (const each of batch) expect(each.error).toBeInstanceOf(DatabaseUnavailableError);
    await proxy.restore();
    let user: unknown;
    // The pool may hold connections that died with the relay: each fails once, then is replaced.
    for (let attempt = 0; attempt < 5 && user === undefined; attempt += 1) {
      user = await db.getUser(id).catch((thrown: unknown) => {
        expect(thrown).toBeInstanceOf(DatabaseUnavailableError);
        return undefined;
      });
    }
    expect(user).toBeNull();
  });
});
