import { Client } from 'pg';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { createDataSource } from '../../src/db/data-source';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const ADMIN = '690000000000000000';
const FIRST_USER = 730000000000000000n;
const user = (n: number): string => String(FIRST_USER + BigInt(n));
const GUILDS = ['740000000000000001', '740000000000000002'] as const;

/**
 * The interaction loads started in one turn of the event loop share one statement. Each caller
 * still gets its own answer, a user's row is created once however many of their loads share a
 * batch, and batches of different processes with the same users in opposite orders do not deadlock.
 */
describe('batched interaction loads', () => {
  let database: TestDatabase;
  const open: PostgresDatabase[] = [];

  async function connect(): Promise<PostgresDatabase> {
    const dataSource = createDataSource({ url: database.url, poolSize: 4 });
    await dataSource.initialize();
    const db = new PostgresDatabase(dataSource);
    open.push(db);
    return db;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(open.map((db) => db.close()));
    await database.drop();
  });

  it('answers each load of a burst larger than one batch with its own user, guild and record, in order', async () => {
    const db = await connect();
    await db.setAttribute('guild', GUILDS[0], 'PREMIUM_GUILD', true, ADMIN, 'a guild with an attribute');
    await db.ensureGuild(GUILDS[1]);
    await db.updateGuildData(GUILDS[1], 'prefix', '?');
    for (let n = 0; n < 400; n += 40) await db.setAttribute('user', user(n), 'LANG', 'FR', ADMIN, 'every 40th user');
    const loads = Array.from({ length: 600 }, (_, n) => ({
      userId: user(n % 400),
      guildId: n % 3 === 2 ? null : GUILDS[n % 2]!,
      guildRecord: n % 5 === 0,
    }));
    const starts = await Promise.all(
      loads.map((load) => db.beginInteraction(load.userId, load.guildId, { guildRecord: load.guildRecord })),
    );
    starts.forEach((start, n) => {
      const load = loads[n]!;
      expect(start.user).toEqual((n % 400) % 40 === 0 ? { LANG: 'FR' } : {});
      if (load.guildId === null) expect(start.guild).toBeNull();
      else expect(start.guild).toEqual(load.guildId === GUILDS[0] ? { PREMIUM_GUILD: true } : {});
      // No guild, no record asked of it.
      if (!load.guildRecord || load.guildId === null) expect(start.guildRecord).toBeUndefined();
      else expect(start.guildRecord).toMatchObject({ guildId: load.guildId, data: load.guildId === GUILDS[1] ? { prefix: '?' } : {} });
      expect(start.userRow).toEqual({ created: false, reactivated: false });
    });
  });

  it('creates each first-seen user once, reported to exactly one of their loads, with 400 loads of 100 new users at once', async () => {
    const db = await connect();
    const users = Array.from({ length: 100 }, (_, n) => user(1000 + n));
    const loads = [...users, ...users, ...users, ...users];
    const starts = await Promise.all(loads.map((id) => db.beginInteraction(id, GUILDS[0], { ensureUser: true })));
    const created = new Map<string, number>();
    starts.forEach((start, n) => {
      expect(start.userRow.reactivated).toBe(false);
      if (start.userRow.created) created.set(loads[n]!, (created.get(loads[n]!) ?? 0) + 1);
    });
    expect([...created.keys()].sort()).toEqual([...users].sort());
    expect(new Set(created.values())).toEqual(new Set([1]));
    for (const id of users) expect(await db.getUser(id)).toMatchObject({ userId: id, deactivatedAt: null });
  });

  it("a statement waiting on a row lock does not hold the process's other loads until the lock is released", async () => {
    const db = await connect();
    const blocked = user(3000);
    const other = user(3001);
    // Another session inserts the same user and keeps its transaction open: the statement that
    // ensures that user waits on it.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('INSERT INTO users (user_id) VALUES ($1)', [blocked]);
      let blockedSettled = false;
      const waiting = db.beginInteraction(blocked, GUILDS[0], { ensureUser: true }).finally(() => (blockedSettled = true));
      // Sent once the first statement waits on the lock: a load of a later batch.
      await waitForLockWait(database.url);
      const start = await db.beginInteraction(other, GUILDS[0], { ensureUser: true });
      expect(start.userRow).toEqual({ created: true, reactivated: false });
      expect(blockedSettled).toBe(false);
      await holder.query('COMMIT');
      // Created by the other session meanwhile: this load found it there, active.
      expect((await waiting).userRow).toEqual({ created: false, reactivated: false });
    } finally {
      await holder.end();
    }
  });

  it('does not deadlock two processes creating the same users in opposite orders, and creates each once', async () => {
    const [first, second] = [await connect(), await connect()];
    for (let round = 0; round < 5; round++) {
      const users = Array.from({ length: 60 }, (_, n) => user(2000 + round * 100 + n));
      const reversed = [...users].reverse();
      const [a, b] = await Promise.all([
        Promise.all(users.map((id) => first.beginInteraction(id, null, { ensureUser: true }))),
        Promise.all(reversed.map((id) => second.beginInteraction(id, null, { ensureUser: true }))),
      ]);
      const createdBy = [...a, ...b].filter((start) => start.userRow.created).length;
      expect(createdBy).toBe(users.length);
    }
  });
});

/** Resolves once a session of the database at `url` waits on a lock (`pg_stat_activity`, read from a session of its own). */
async function waitForLockWait(url: string): Promise<void> {
  const observer = new Client({ connectionString: url });
  await observer.connect();
  try {
    for (;;) {
      const { rows } = await observer.query<{ waiting: number }>(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if ((rows[0]?.waiting ?? 0) > 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await observer.end();
  }
}
