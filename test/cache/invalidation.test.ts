import type { Attributes, EntityType } from '../../src/attributes/registry';
import type { UserRecord } from '../../src/db/api';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { decodeInvalidation } from '../../src/cache/invalidation-bus';
import { CacheFixture, DEV, freshId, invalidationDelay, waitFor, type CacheInstance } from '../helpers/cache-fixture';

/** Holds the next attribute or user record load open after it read PostgreSQL, so a write can land in between. */
class GatedDatabase extends PostgresDatabase {
  private gate: { reached: () => void; release: Promise<void> } | undefined;

  holdNextLoad(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.gate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: reachedPromise, release };
  }

  override async getAttributes(entityType: EntityType, id: string): Promise<Attributes> {
    const value = await super.getAttributes(entityType, id);
    await this.passGate();
    return value;
  }

  override async getUser(id: string): Promise<UserRecord | null> {
    const value = await super.getUser(id);
    await this.passGate();
    return value;
  }

  private async passGate(): Promise<void> {
    const gate = this.gate;
    if (gate) {
      this.gate = undefined;
      gate.reached();
      await gate.release;
    }
  }
}

let f: CacheFixture;
let a: CacheInstance;
let b: CacheInstance;

beforeAll(async () => {
  f = await CacheFixture.create();
  // A busy CI machine must not open the breaker (which also delivers invalidations, differently):
  // outages are outage.test.ts's subject.
  a = await f.open({ cache: { redisTimeoutMs: 2000 } });
  b = await f.open({ cache: { redisTimeoutMs: 2000 } });
});
afterAll(async () => {
  await f.cleanup();
});

describe('invalidation across processes', () => {
  it('a first start on an empty namespace checks the Redis epoch without logging it as news', async () => {
    expect(await f.redis.get(`${f.prefix}:v2:redis-epoch`)).toMatch(/^\w+$/);
    expect([...a.logger.infos, ...a.logger.warnings, ...b.logger.infos, ...b.logger.warnings]).toEqual([]);
  });

  it('a second instance hears every kind of write made through the first within 50 ms of its return, and reads it at once', async () => {
    const user = freshId();
    const guild = freshId();
    await a.db.upsertCachedGuild({ guildId: guild, name: 'Before', updateSource: 'bot_join' });
    const attrs = a.db.keys.attributes('user', user);
    const record = a.db.keys.record('user', user);
    const writes: { read: () => Promise<boolean>; key: string; write: () => Promise<unknown> }[] = [
      {
        read: async () => b.db.hasAttribute('user', user, 'BLACKLISTED'),
        key: attrs,
        write: () => a.db.setAttribute('user', user, 'BLACKLISTED', true, DEV, 'abuse'),
      },
      {
        read: async () => !(await b.db.hasAttribute('user', user, 'BLACKLISTED')),
        key: attrs,
        write: () => a.db.setAttribute('user', user, 'BLACKLISTED', false, DEV, 'appeal'),
      },
      { read: async () => (await b.db.getUser(user))?.data.note === 'x', key: record, write: () => a.db.updateUserData(user, 'note', 'x') },
      { read: async () => (await b.db.getUser(user))?.deactivatedAt != null, key: record, write: () => a.db.deactivateUser(user) },
      { read: async () => (await b.db.getUser(user))?.deactivatedAt === null, key: record, write: () => a.db.ensureUser(user) },
      {
        read: async () => (await b.db.getInteractionAttributes(user, guild)).guild?.LANG === 'EN',
        key: a.db.keys.attributes('guild', guild),
        write: () => a.db.setAttribute('guild', guild, 'LANG', 'EN', DEV, 'setup'),
      },
      {
        read: async () => (await b.db.getCachedGuild(guild))?.name === 'After',
        key: a.db.keys.guildLookup(guild),
        write: () => a.db.upsertCachedGuild({ guildId: guild, name: 'After', updateSource: 'api_call' }),
      },
    ];
    const delays: number[] = [];
    for (const { read, key, write } of writes) {
      expect(await read()).toBe(false); // cached in b's local tier and in Redis
      expect(await read()).toBe(false);
      delays.push(await invalidationDelay(b, key, write));
      expect(await read()).toBe(true); // no polling: the entry is gone from the moment it was heard
    }
    expect(Math.max(...delays)).toBeLessThan(50);
    expect(b.db.getCacheStats().local.invalidations).toBeGreaterThanOrEqual(writes.length);
  });
});

describe('a write racing a read-through', () => {
  async function racedInstances(): Promise<{ reader: CacheInstance; gated: GatedDatabase }> {
    let gated!: GatedDatabase;
    const reader = await f.open({ inner: (dataSource) => (gated = new GatedDatabase(dataSource)) });
    return { reader, gated };
  }

  it('in another process: the value loaded before the write is not cached in Redis nor locally', async () => {
    const { reader, gated } = await racedInstances();
    const id = freshId();
    const hold = gated.holdNextLoad();
    const staleRead = reader.db.hasAttribute('user', id, 'BETA');
    await hold.reached; // the reader has read BETA = absent from PostgreSQL
    await a.db.setAttribute('user', id, 'BETA', true, DEV, 'race');
    hold.release();
    expect(await staleRead).toBe(false); // it started before the write

    expect(await f.redis.get(`${f.prefix}:v2:attrs:user:${id}`)).toBeNull();
    expect(await reader.db.hasAttribute('user', id, 'BETA')).toBe(true);
    expect(await b.db.hasAttribute('user', id, 'BETA')).toBe(true);
    expect(JSON.parse((await f.redis.get(`${f.prefix}:v2:attrs:user:${id}`)) ?? 'null')).toEqual({ BETA: true });
  });

  it('in the same process: concurrent readers joined to the old load do not cache it either', async () => {
    const { reader, gated } = await racedInstances();
    const id = freshId();
    const hold = gated.holdNextLoad();
    const staleReads = Promise.all([reader.db.getAttributes('user', id), reader.db.getAttributes('user', id)]);
    await hold.reached;
    await reader.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'race');
    const fresh = reader.db.getAttributes('user', id); // must not join the load started before the write
    hold.release();
    expect(await staleReads).toEqual([{}, {}]);
    expect(await fresh).toEqual({ LANG: 'FR' });
    expect(await reader.db.getAttributes('user', id)).toEqual({ LANG: 'FR' });
    expect(JSON.parse((await f.redis.get(`${f.prefix}:v2:attrs:user:${id}`)) ?? 'null')).toEqual({ LANG: 'FR' });
  });
});

describe('a user created while their absent record loads', () => {
  it('in the same process: a reader after the creation does not join the load started before it', async () => {
    let gated!: GatedDatabase;
    const reader = await f.open({ inner: (dataSource) => (gated = new GatedDatabase(dataSource)) });
    const id = freshId();
    const hold = gated.holdNextLoad();
    const staleRead = reader.db.getUser(id);
    await hold.reached; // the load has read "no row"
    const start = await reader.db.beginInteraction(id, null, { ensureUser: true });
    expect(start.userRow.created).toBe(true);
    const fresh = reader.db.getUser(id);
    hold.release();
    expect(await staleRead).toBeNull(); // it started before the row existed
    expect((await fresh)?.userId).toBe(id);
  });
});

describe('the Redis commands of one event-loop turn', () => {
  let listener: ((channel: string, message: string) => void) | undefined;
  afterEach(() => {
    if (listener) b.subscriber.off('message', listener);
    listener = undefined;
  });

  /**
   * `b`'s invalidation messages from `a` once every earlier one has arrived: messages arrive in
   * order, so once `b` hears a marker write's message, nothing published before it is still coming.
   */
  const messagesFromA = async (): Promise<string[][]> => {
    const messages: string[][] = [];
    listener = (_channel: string, message: string) => {
      const { origin, entries } = decodeInvalidation(message);
      if (origin === a.db.invalidationOrigin) messages.push(entries);
    };
    b.subscriber.on('message', listener);
    const marker = a.db.keys.attributes('user', await markerWrite());
    await waitFor(() => messages.some((entries) => entries.includes(marker)), 2000);
    messages.length = 0;
    return messages;
  };

  /** A write of `a`'s whose message `b` hears; returns its user. */
  const markerWrite = async (): Promise<string> => {
    const marker = freshId();
    await a.db.setAttribute('user', marker, 'BETA', true, DEV, 'marker');
    return marker;
  };

  it('are one MGET and one fill for 20 first-seen users, and no invalidation: no tier holds an absent user record', async () => {
    const guild = freshId();
    // Loads the scripts, so that what is counted below is not a NOSCRIPT retry.
    await a.db.beginInteraction(freshId(), guild, { ensureUser: true });
    const users = Array.from({ length: 20 }, () => freshId());
    for (const user of users) expect(await b.db.getUser(user)).toBeNull();
    const messages = await messagesFromA();
    a.commands.length = 0;

    const starts = await Promise.all(users.map((user) => a.db.beginInteraction(user, guild, { ensureUser: true })));

    expect(starts.map((start) => start.userRow.created)).toEqual(users.map(() => true));
    const counted = a.commands.filter((name) => name !== 'ping');
    expect(counted).toEqual(['mget', 'evalsha']);
    for (const user of users) expect(await b.db.getUser(user)).toMatchObject({ userId: user, deactivatedAt: null });
    // Had the creations been announced, b would hear them before this write's message.
    const marker = await markerWrite();
    await waitFor(() => messages.length > 0, 2000);
    expect(messages).toEqual([[a.db.keys.attributes('user', marker), a.db.keys.record('user', marker)]]);
  });

  it('are one MGET, one fill and one invalidation for 20 reactivated users, and the other process hears them in one message', async () => {
    const guild = freshId();
    const users = Array.from({ length: 20 }, () => freshId());
    for (const user of users) {
      await a.db.ensureUser(user);
      await a.db.deactivateUser(user);
      expect((await b.db.getUser(user))?.deactivatedAt).toBeInstanceOf(Date);
    }
    await a.db.beginInteraction(freshId(), guild, { ensureUser: true });
    const messages = await messagesFromA();
    a.commands.length = 0;

    const starts = await Promise.all(users.map((user) => a.db.beginInteraction(user, guild, { ensureUser: true })));

    expect(starts.map((start) => start.userRow.reactivated)).toEqual(users.map(() => true));
    const counted = a.commands.filter((name) => name !== 'ping');
    expect(counted.filter((name) => name === 'mget')).toHaveLength(1);
    // One fill script and one invalidation script.
    expect(counted.filter((name) => name === 'evalsha')).toHaveLength(2);
    const marker = await markerWrite();
    await waitFor(() => messages.length > 1, 2000);
    expect(messages).toEqual([
      expect.arrayContaining(users.map((user) => a.db.keys.record('user', user))),
      [a.db.keys.attributes('user', marker), a.db.keys.record('user', marker)],
    ]);
    expect(messages[0]).toHaveLength(users.length);
    for (const user of users) expect(await b.db.getUser(user)).toMatchObject({ userId: user, deactivatedAt: null });
  });
});
